import { paymobHmac } from "../../modules/payments/providers/paymob.ts";
import {
  escapeHtml,
  type FakeResponse,
  type Fetchable,
  fakeId,
  parseJson,
  postWebhook,
  type RecordedRequest,
  startFakeServer,
} from "./server.ts";

/**
 * A fake Paymob Accept API on loopback (PROVIDERS.md §3 "Fake server"): auth tokens, orders with
 * unique merchant order ids, payment keys, the iframe page, order and transaction inquiry, and
 * refunds; "transaction processed" callbacks signed with the HMAC secret over the 20 fields
 * (the same field list the provider checks; its test pins that list to Paymob's worked example).
 */

export interface PaymobFakeOptions {
  apiKey?: string;
  integrationId?: number;
  iframeId?: number;
  hmacSecret?: string;
  /** what the order inquiry lists: transaction objects (default) or their ids only */
  orderTransactions?: "objects" | "ids";
}

type Obj = Record<string, unknown>;

const fail = (status: number, detail: string): FakeResponse => ({ status, json: { detail, message: detail } });

/** Paymob's timestamps look like "2020-03-25T18:39:44.719228" (no zone, microseconds). */
const paymobTime = () =>
  `${new Date().toISOString().slice(0, 23)}${String(Math.floor(Math.random() * 1000)).padStart(3, "0")}`;

export async function startPaymobFake(options: PaymobFakeOptions = {}) {
  const apiKey = options.apiKey ?? "paymob_api_key_fake";
  const integrationId = options.integrationId ?? 4_000_001;
  const iframeId = options.iframeId ?? 800_001;
  const hmacSecret = options.hmacSecret ?? "paymob_hmac_secret_fake";
  const tokens = new Set<string>();
  const orders = new Map<number, Obj>();
  const paymentKeys = new Map<string, number>();
  const transactions = new Map<number, Obj>();
  let seq = 200_000;
  const nextId = () => ++seq;

  const authorized = (token: unknown) => typeof token === "string" && tokens.has(token);

  function createOrder(body: Obj): FakeResponse {
    if (!authorized(body.auth_token)) return fail(401, "Invalid token");
    const amount = body.amount_cents;
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
      return fail(400, "amount_cents must be a positive integer");
    const merchantOrderId = String(body.merchant_order_id ?? "");
    if ([...orders.values()].some((o) => o.merchant_order_id === merchantOrderId)) return fail(422, "duplicate");
    const order: Obj = {
      id: nextId(),
      merchant_order_id: merchantOrderId,
      amount_cents: amount,
      currency: body.currency ?? "EGP",
      paid_amount_cents: 0,
      delivery_needed: body.delivery_needed ?? false,
      items: body.items ?? [],
      created_at: paymobTime(),
    };
    orders.set(order.id as number, order);
    return { status: 201, json: order };
  }

  function createPaymentKey(body: Obj): FakeResponse {
    if (!authorized(body.auth_token)) return fail(401, "Invalid token");
    if (body.integration_id !== integrationId) return fail(400, "Invalid integration id");
    const order = orders.get(Number(body.order_id));
    if (!order) return fail(404, "Order not found");
    if (body.amount_cents !== order.amount_cents) return fail(400, "amount_cents differs from the order's");
    const billing = (body.billing_data ?? {}) as Obj;
    const required = [
      "first_name",
      "last_name",
      "email",
      "phone_number",
      "apartment",
      "floor",
      "street",
      "building",
      "city",
      "state",
      "country",
    ];
    const absent = required.filter((k) => typeof billing[k] !== "string" || billing[k] === "");
    if (absent.length > 0) return fail(400, `billing_data missing: ${absent.join(", ")}`);
    const token = fakeId("pk_", 32);
    paymentKeys.set(token, order.id as number);
    return { status: 201, json: { token } };
  }

  function refund(body: Obj): FakeResponse {
    if (!authorized(body.auth_token)) return fail(401, "Invalid token");
    const original = transactions.get(Number(body.transaction_id));
    if (original?.success !== true || original.is_refunded === true)
      return fail(404, "Transaction not found or not refundable");
    const amount = body.amount_cents;
    const remaining = (original.amount_cents as number) - ((original.refunded_amount_cents as number) ?? 0);
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0 || amount > remaining)
      return fail(400, "Refund amount exceeds the refundable amount");
    original.refunded_amount_cents = ((original.refunded_amount_cents as number) ?? 0) + amount;
    const order = orders.get((original.order as Obj).id as number) as Obj;
    const txn = transaction(order, {
      amount,
      success: true,
      refund: { parent: original.id as number, total: original.refunded_amount_cents as number },
    });
    return { json: txn };
  }

  /** A transaction object with every field the HMAC covers, as Paymob's callback carries it. */
  function transaction(
    order: Obj,
    t: {
      amount: number;
      success: boolean;
      pending?: boolean;
      currency?: string;
      refund?: { parent: number; total: number };
    },
  ): Obj {
    const txn: Obj = {
      id: nextId(),
      pending: t.pending ?? false,
      amount_cents: t.amount,
      success: t.success,
      is_auth: false,
      is_capture: false,
      is_standalone_payment: !t.refund,
      is_voided: false,
      is_refunded: Boolean(t.refund),
      is_3d_secure: true,
      integration_id: integrationId,
      has_parent_transaction: Boolean(t.refund),
      ...(t.refund ? { parent_transaction: t.refund.parent, refunded_amount_cents: t.refund.total } : {}),
      order: { id: order.id, merchant_order_id: order.merchant_order_id, amount_cents: order.amount_cents },
      created_at: paymobTime(),
      currency: t.currency ?? order.currency,
      error_occured: false,
      owner: 302_852,
      source_data: { pan: "2346", sub_type: "MasterCard", type: "card" },
      data: { message: t.success ? "Approved" : "Do not honour" },
    };
    transactions.set(txn.id as number, txn);
    const list = ((order.transactions as Obj[] | undefined) ?? []).concat(txn);
    order.transactions = list;
    if (t.success && !t.pending && !t.refund) order.paid_amount_cents = t.amount;
    return txn;
  }

  function route(request: RecordedRequest): FakeResponse {
    const body = (request.body ?? {}) as Obj;
    const { method, path, query } = request;
    const param = (pattern: RegExp) => {
      const found = path.match(pattern)?.[1];
      return found === undefined ? undefined : Number(found);
    };
    if (method === "POST" && path === "/api/auth/tokens") {
      if (body.api_key !== apiKey) return fail(403, "incorrect credentials");
      const token = fakeId("ptok_", 40);
      tokens.add(token);
      return { status: 201, json: { token, profile: { id: 302_852 } } };
    }
    if (method === "POST" && path === "/api/ecommerce/orders") return createOrder(body);
    if (method === "POST" && path === "/api/acceptance/payment_keys") return createPaymentKey(body);
    if (method === "POST" && path === "/api/acceptance/void_refund/refund") return refund(body);
    const orderId = param(/^\/api\/ecommerce\/orders\/(\d+)$/);
    if (method === "GET" && orderId !== undefined) {
      if (!authorized(query.get("token"))) return fail(401, "Invalid token");
      const order = orders.get(orderId);
      if (!order) return fail(404, "Not found.");
      const list = (order.transactions as Obj[] | undefined) ?? [];
      return {
        json: { ...order, transactions: options.orderTransactions === "ids" ? list.map((t) => t.id) : list },
      };
    }
    const transactionId = param(/^\/api\/acceptance\/transactions\/(\d+)$/);
    if (method === "GET" && transactionId !== undefined) {
      if (!authorized(query.get("token"))) return fail(401, "Invalid token");
      const txn = transactions.get(transactionId);
      return txn ? { json: txn } : fail(404, "Not found.");
    }
    const iframe = param(/^\/api\/acceptance\/iframes\/(\d+)$/);
    if (method === "GET" && iframe !== undefined) {
      const keyOrder = paymentKeys.get(query.get("payment_token") ?? "");
      if (iframe !== iframeId || keyOrder === undefined) return { status: 404, html: "<p>Invalid iframe or token</p>" };
      const order = orders.get(keyOrder) as Obj;
      return {
        html: `<!doctype html><title>Fake Paymob</title><h1>Pay EGP ${escapeHtml(String(order.amount_cents))} piasters</h1>
<form method="post" action="/pay/${escapeHtml(String(keyOrder))}"><button>Pay</button></form>`,
      };
    }
    return fail(404, `No route ${method} ${path}`);
  }

  /** where the hosted page delivers its webhook when the buyer pays (set with `deliverWebhooksTo`) */
  let webhook: { url: string; via?: Fetchable } | null = null;

  const fake = await startFakeServer(parseJson, async (request) => {
    const pay = request.path.match(/^\/pay\/(\d+)$/);
    if (pay && request.method === "POST") {
      const body = api.pay(Number(pay[1]));
      if (webhook) await api.deliver(webhook.url, body, { via: webhook.via });
      return { html: "<p>Paid</p>" };
    }
    return route(request);
  });

  function order(id: number) {
    const found = orders.get(id);
    if (!found) throw new Error(`fake paymob: no order ${id}`);
    return found;
  }

  const api = {
    ...fake,
    /** The API's webhook URL (and, for an in-process test app, the app) the hosted page pays into. */
    deliverWebhooksTo(url: string, via?: Fetchable) {
      webhook = { url, via };
    },
    hmacSecret,
    env: () => ({
      PAYMOB_API_KEY: apiKey,
      PAYMOB_INTEGRATION_ID: String(integrationId),
      PAYMOB_IFRAME_ID: String(iframeId),
      PAYMOB_HMAC_SECRET: hmacSecret,
      PAYMOB_BASE_URL: fake.url,
    }),
    orders,
    transactions,

    /**
     * A payment attempt on a Paymob order: approved by default; `success: false` declines,
     * `pending: true` leaves it pending; `amount`/`currency` tamper with what was charged.
     * Returns the processed-callback body.
     */
    pay(orderId: number, change: { success?: boolean; pending?: boolean; amount?: number; currency?: string } = {}) {
      const o = order(orderId);
      const txn = transaction(o, {
        amount: change.amount ?? (o.amount_cents as number),
        success: change.success ?? true,
        pending: change.pending,
        currency: change.currency,
      });
      return { type: "TRANSACTION", obj: structuredClone(txn) };
    },
    /** The processed-callback body of any transaction (a refund's, after `refund` created it). */
    callback(transactionId: number, change: { success?: boolean } = {}) {
      const txn = transactions.get(transactionId);
      if (!txn) throw new Error(`fake paymob: no transaction ${transactionId}`);
      return { type: "TRANSACTION", obj: { ...structuredClone(txn), ...change } };
    },

    /** The `hmac` query value for a callback body's transaction. */
    signature: (body: { obj: unknown }, secret = hmacSecret) => paymobHmac(body.obj, secret),
    /** POSTs a processed callback with `?hmac=`; "bad" signs with another secret, "missing" sends none. */
    deliver(url: string, body: { obj: unknown }, delivery: { signature?: "bad" | "missing"; via?: Fetchable } = {}) {
      const target = new URL(url);
      if (delivery.signature !== "missing")
        target.searchParams.set(
          "hmac",
          api.signature(body, delivery.signature === "bad" ? "not-the-secret" : hmacSecret),
        );
      return postWebhook(target.toString(), JSON.stringify(body), {}, delivery.via);
    },
  };
  return api;
}

export type PaymobFake = Awaited<ReturnType<typeof startPaymobFake>>;
