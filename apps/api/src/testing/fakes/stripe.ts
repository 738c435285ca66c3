import { createHash } from "node:crypto";
import Stripe from "stripe";
import {
  escapeHtml,
  type FakeResponse,
  type Fetchable,
  fakeId,
  postWebhook,
  type RecordedRequest,
  startFakeServer,
} from "./server.ts";

/**
 * A fake Stripe API on loopback (PROVIDERS.md §1 "Minimal fake answers"): the SDK's form-encoded
 * requests, Bearer auth, Idempotency-Key replay, checkout sessions, refunds, Connect accounts,
 * account links and transfers; webhooks signed with the SDK's own test header.
 */

export interface StripeFakeOptions {
  secretKey?: string;
  webhookSecret?: string;
  /** status new refunds are created with (default succeeded) */
  refundStatus?: "succeeded" | "pending" | "failed";
  /** the platform's available balance per lowercase currency; unset: unlimited */
  balance?: Record<string, number>;
}

type Obj = Record<string, unknown>;

/** Stripe's bracket form encoding (`line_items[0][price_data][unit_amount]=1500`) back into objects and arrays. */
export function parseStripeForm(raw: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const parts = key.match(/[^[\]]+/g) ?? [key];
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Obj;
      }
    });
  }
  return arrayify(root) as Obj;
}

function arrayify(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const entries = Object.entries(value as Obj).map(([k, v]) => [k, arrayify(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

const error = (status: number, type: string, message: string, code?: string): FakeResponse => ({
  status,
  json: { error: { type, message, ...(code ? { code } : {}) } },
});
const missing = (what: string, id: string) =>
  error(404, "invalid_request_error", `No such ${what}: '${id}'`, "resource_missing");
const int = (value: unknown) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN);

export async function startStripeFake(options: StripeFakeOptions = {}) {
  const secretKey = options.secretKey ?? "sk_test_fake";
  const webhookSecret = options.webhookSecret ?? "whsec_fake";
  const sessions = new Map<string, Obj>();
  const paymentIntents = new Map<string, { amount: number; currency: string; refunded: number; orderId: unknown }>();
  const refunds = new Map<string, Obj>();
  const accounts = new Map<string, Obj>();
  const transfers = new Map<string, Obj>();
  const idempotency = new Map<string, { hash: string; response: FakeResponse }>();
  const balance = options.balance ? { ...options.balance } : undefined;
  const now = () => Math.floor(Date.now() / 1000);

  function createSession(body: Obj, base: string): FakeResponse {
    if (body.mode !== "payment") return error(400, "invalid_request_error", "Only payment mode is faked");
    const items = Array.isArray(body.line_items) ? (body.line_items as Obj[]) : [];
    if (items.length === 0) return error(400, "invalid_request_error", "Missing required param: line_items.");
    let amount = 0;
    let currency = "";
    for (const item of items) {
      const price = (item.price_data ?? {}) as Obj;
      const unit = int(price.unit_amount);
      const quantity = int(item.quantity ?? "1");
      if (!Number.isSafeInteger(unit) || !Number.isSafeInteger(quantity))
        return error(400, "invalid_request_error", "Invalid integer: unit_amount", "parameter_invalid_integer");
      if (typeof price.currency !== "string" || price.currency !== price.currency.toLowerCase())
        return error(400, "invalid_request_error", "Invalid currency", "invalid_currency");
      amount += unit * quantity;
      currency = price.currency;
    }
    const expiresAt = body.expires_at === undefined ? now() + 86_400 : int(body.expires_at);
    if (!(expiresAt >= now() + 30 * 60 && expiresAt <= now() + 86_400))
      return error(400, "invalid_request_error", "The `expires_at` timestamp must be between 30 minutes and 24 hours");
    if (typeof body.success_url !== "string")
      return error(400, "invalid_request_error", "Missing required param: success_url.");
    const id = fakeId("cs_test_", 24);
    const session: Obj = {
      id,
      object: "checkout.session",
      url: `${base}/pay/${id}`,
      status: "open",
      payment_status: "unpaid",
      mode: "payment",
      currency,
      amount_total: amount,
      client_reference_id: body.client_reference_id ?? null,
      customer_email: body.customer_email ?? null,
      metadata: body.metadata ?? {},
      payment_intent: null,
      expires_at: expiresAt,
      success_url: body.success_url,
      cancel_url: body.cancel_url ?? null,
      livemode: false,
    };
    sessions.set(id, session);
    return { json: session };
  }

  function createRefund(body: Obj): FakeResponse {
    const intentId = String(body.payment_intent ?? "");
    const intent = paymentIntents.get(intentId);
    if (!intent) return missing("payment_intent", intentId);
    const amount = body.amount === undefined ? intent.amount - intent.refunded : int(body.amount);
    if (!Number.isSafeInteger(amount) || amount <= 0)
      return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer");
    if (amount > intent.amount - intent.refunded)
      return error(
        400,
        "invalid_request_error",
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount - intent.refunded})`,
        "amount_too_large",
      );
    const status = options.refundStatus ?? "succeeded";
    if (status !== "failed") intent.refunded += amount;
    const refund: Obj = {
      id: fakeId("re_"),
      object: "refund",
      amount,
      currency: intent.currency,
      status,
      payment_intent: intentId,
      charge: `ch_${intentId.slice(3)}`,
      reason: body.reason ?? null,
      metadata: body.metadata ?? {},
      created: now(),
    };
    refunds.set(refund.id as string, refund);
    return { json: refund };
  }

  function createTransfer(body: Obj): FakeResponse {
    const destination = String(body.destination ?? "");
    const account = accounts.get(destination);
    if (!account) return missing("destination", destination);
    if ((account.capabilities as Obj).transfers !== "active")
      return error(
        400,
        "invalid_request_error",
        "Your destination account needs to have at least one of the following capabilities enabled: transfers",
        "insufficient_capabilities_for_transfer",
      );
    const amount = int(body.amount);
    const currency = String(body.currency ?? "");
    if (!Number.isSafeInteger(amount) || amount <= 0)
      return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer");
    if (balance) {
      if ((balance[currency] ?? 0) < amount)
        return error(
          400,
          "invalid_request_error",
          "You have insufficient available funds in your Stripe account.",
          "balance_insufficient",
        );
      balance[currency] = (balance[currency] ?? 0) - amount;
    }
    const transfer: Obj = {
      id: fakeId("tr_"),
      object: "transfer",
      amount,
      amount_reversed: 0,
      currency,
      destination,
      transfer_group: body.transfer_group ?? null,
      metadata: body.metadata ?? {},
      reversed: false,
      created: now(),
    };
    transfers.set(transfer.id as string, transfer);
    return { json: transfer };
  }

  function route(request: RecordedRequest, base: string): FakeResponse {
    const body = (request.body ?? {}) as Obj;
    const { method, path } = request;
    /** the first group of a path pattern, or undefined when the path does not match */
    const param = (pattern: RegExp) => path.match(pattern)?.[1];
    let id: string | undefined;
    if (method === "POST" && path === "/v1/checkout/sessions") return createSession(body, base);
    id = param(/^\/v1\/checkout\/sessions\/([^/]+)$/);
    if (id && method === "GET") {
      const session = sessions.get(id);
      return session ? { json: session } : missing("checkout.session", id);
    }
    id = param(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/);
    if (id && method === "POST") {
      const session = sessions.get(id);
      if (!session) return missing("checkout.session", id);
      if (session.status !== "open")
        return error(400, "invalid_request_error", "Only Checkout Sessions with a status of `open` can be expired.");
      Object.assign(session, { status: "expired", url: null });
      return { json: session };
    }
    if (method === "POST" && path === "/v1/refunds") return createRefund(body);
    if (method === "POST" && path === "/v1/accounts") {
      const account: Obj = {
        id: fakeId("acct_", 16),
        object: "account",
        email: body.email ?? null,
        country: body.country ?? "US",
        controller: body.controller ?? {},
        metadata: body.metadata ?? {},
        details_submitted: false,
        charges_enabled: false,
        payouts_enabled: false,
        capabilities: { transfers: "inactive" },
      };
      accounts.set(account.id as string, account);
      return { json: account };
    }
    id = param(/^\/v1\/accounts\/([^/]+)$/);
    if (id && method === "GET") {
      const account = accounts.get(id);
      return account ? { json: account } : missing("account", id);
    }
    if (method === "POST" && path === "/v1/account_links") {
      const account = String(body.account ?? "");
      if (!accounts.has(account)) return missing("account", account);
      if (body.type !== "account_onboarding" || !body.refresh_url || !body.return_url)
        return error(400, "invalid_request_error", "type, refresh_url and return_url are required");
      return {
        json: { object: "account_link", url: `${base}/onboarding/${account}`, created: now(), expires_at: now() + 300 },
      };
    }
    if (method === "POST" && path === "/v1/transfers") return createTransfer(body);
    id = param(/^\/pay\/([^/]+)$/);
    if (id && method === "GET") {
      const session = sessions.get(id);
      if (!session) return { status: 404, html: "<p>No such session</p>" };
      const total = `${session.amount_total} ${String(session.currency).toUpperCase()}`;
      return {
        html: `<!doctype html><title>Fake Stripe Checkout</title><h1>Pay ${escapeHtml(total)}</h1>
<form method="post" action="/pay/${escapeHtml(String(session.id))}"><button>Pay</button></form>`,
      };
    }
    return error(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path})`);
  }

  /** where the hosted page delivers its webhook when the buyer pays (set with `deliverWebhooksTo`) */
  let webhook: { url: string; via?: Fetchable } | null = null;

  const fake = await startFakeServer(
    (raw) => parseStripeForm(raw),
    async (request, base) => {
      if (request.path.startsWith("/pay/") && request.method === "POST") {
        // The hosted page's "Pay" button: paid, webhook delivered, browser sent back.
        const id = request.path.slice("/pay/".length);
        const session = sessions.get(id);
        if (session?.status !== "open") return { status: 404, html: "<p>No open session</p>" };
        const event = api.completeSession(id);
        if (webhook) await api.deliver(webhook.url, event, { via: webhook.via });
        return { redirect: String(session.success_url).replace("{CHECKOUT_SESSION_ID}", id) };
      }
      if (request.path.startsWith("/pay/")) return route(request, base);
      if (request.headers.authorization !== `Bearer ${secretKey}`)
        return error(401, "invalid_request_error", "Invalid API Key provided");
      const key = request.headers["idempotency-key"];
      if (request.method !== "POST" || !key) return route(request, base);
      // Stripe replays the first answer to a key; other parameters under the same key are an error.
      const hash = createHash("sha256").update(`${request.method} ${request.path} ${request.rawBody}`).digest("hex");
      const seen = idempotency.get(key);
      if (seen) {
        if (seen.hash !== hash)
          return error(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          );
        return { ...seen.response, headers: { ...seen.response.headers, "idempotent-replayed": "true" } };
      }
      const response = route(request, base);
      idempotency.set(key, { hash, response });
      return response;
    },
  );

  function event(type: string, object: unknown): Stripe.Event {
    return {
      id: fakeId("evt_", 24),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: now(),
      type,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: structuredClone(object) },
    } as unknown as Stripe.Event;
  }

  function session(id: string): Obj {
    const found = sessions.get(id);
    if (!found) throw new Error(`fake stripe: no session ${id}`);
    return found;
  }

  const api = {
    ...fake,
    /** The API's webhook URL (and, for an in-process test app, the app) the hosted page pays into. */
    deliverWebhooksTo(url: string, via?: Fetchable) {
      webhook = { url, via };
    },
    secretKey,
    webhookSecret,
    /** Env overrides that point a test app's Stripe provider at this fake. */
    env: () => ({ STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_API_URL: fake.url }),
    sessions,
    refunds,
    accounts,
    transfers,
    event,

    /**
     * The buyer pays (or, with `paymentStatus: "unpaid"`, a delayed method is started). `amount` and
     * `currency` tamper with what Stripe says was charged. Returns `checkout.session.completed`.
     */
    completeSession(
      id: string,
      change: { paymentStatus?: "paid" | "unpaid" | "no_payment_required"; amount?: number; currency?: string } = {},
    ) {
      const s = session(id);
      const paymentIntent = fakeId("pi_", 24);
      const amount = change.amount ?? (s.amount_total as number);
      const currency = change.currency ?? (s.currency as string);
      Object.assign(s, {
        status: "complete",
        payment_status: change.paymentStatus ?? "paid",
        payment_intent: paymentIntent,
        amount_total: amount,
        currency,
        url: null,
      });
      paymentIntents.set(paymentIntent, { amount, currency, refunded: 0, orderId: s.client_reference_id });
      return event("checkout.session.completed", s);
    },
    /** A delayed payment settles: `checkout.session.async_payment_succeeded` or `…failed`. */
    settleAsyncPayment(id: string, outcome: "succeeded" | "failed") {
      const s = session(id);
      if (outcome === "succeeded") s.payment_status = "paid";
      return event(`checkout.session.async_payment_${outcome}`, s);
    },
    expireSession(id: string) {
      Object.assign(session(id), { status: "expired", url: null });
      return event("checkout.session.expired", session(id));
    },
    /** A refund changes state later (pending → succeeded, or failed): `refund.updated` / `refund.failed`. */
    settleRefund(id: string, status: "succeeded" | "failed" | "canceled") {
      const refund = refunds.get(id);
      if (!refund) throw new Error(`fake stripe: no refund ${id}`);
      const intent = paymentIntents.get(refund.payment_intent as string);
      if (intent && refund.status !== "succeeded" && status === "succeeded") intent.refunded += refund.amount as number;
      refund.status = status;
      if (status !== "succeeded") refund.failure_reason = "expired_or_canceled_card";
      return event(status === "failed" ? "refund.failed" : "refund.updated", refund);
    },
    /** The creator finished onboarding (or lost the capability). */
    setAccountReady(id: string, ready: boolean) {
      const account = accounts.get(id);
      if (!account) throw new Error(`fake stripe: no account ${id}`);
      Object.assign(account, {
        details_submitted: ready,
        payouts_enabled: ready,
        capabilities: { transfers: ready ? "active" : "inactive" },
      });
    },
    /** The platform takes a transfer back, whole or in part: `transfer.reversed`. */
    reverseTransfer(id: string, amount?: number) {
      const transfer = transfers.get(id);
      if (!transfer) throw new Error(`fake stripe: no transfer ${id}`);
      const reversed = (transfer.amount_reversed as number) + (amount ?? (transfer.amount as number));
      Object.assign(transfer, { amount_reversed: reversed, reversed: reversed >= (transfer.amount as number) });
      return event("transfer.reversed", transfer);
    },

    /** The `stripe-signature` header for a body, from the SDK (a past `timestamp` makes a stale one). */
    signature(rawBody: string, sign: { secret?: string; timestamp?: number } = {}) {
      return Stripe.webhooks.generateTestHeaderString({
        payload: rawBody,
        secret: sign.secret ?? webhookSecret,
        timestamp: sign.timestamp,
      });
    },
    /**
     * Delivers an event as Stripe does. `signature`: "bad" signs with another secret, "missing"
     * sends none; `timestamp` (epoch seconds) signs as of then; `via` posts into an in-process app.
     */
    deliver(
      url: string,
      payload: unknown,
      delivery: { signature?: "bad" | "missing"; timestamp?: number; via?: Fetchable } = {},
    ) {
      const raw = JSON.stringify(payload, null, 2);
      const headers: Record<string, string> = {};
      if (delivery.signature !== "missing") {
        headers["stripe-signature"] = api.signature(raw, {
          secret: delivery.signature === "bad" ? "whsec_not_the_secret" : webhookSecret,
          timestamp: delivery.timestamp,
        });
      }
      return postWebhook(url, raw, headers, delivery.via);
    },
  };
  return api;
}

export type StripeFake = Awaited<ReturnType<typeof startStripeFake>>;
