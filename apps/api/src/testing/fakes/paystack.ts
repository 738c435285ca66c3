import { createHmac } from "node:crypto";
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
 * A fake Paystack API on loopback (PROVIDERS.md §2 "Fake server"): the `{ status, message, data }`
 * envelope, Bearer auth, transactions (initialize, verify, a pay page), refunds, banks, account
 * resolution, transfer recipients and transfers; webhooks signed HMAC-SHA512 over the raw body.
 */

export interface PaystackFakeOptions {
  secretKey?: string;
  /** new transfers come back needing an OTP (the integration still has transfer OTP on) */
  otp?: boolean;
  /** the integration's NGN balance in kobo; unset: unlimited */
  balance?: number;
  /** resolvable accounts: `${accountNumber}@${bankCode}` → account name */
  accounts?: Record<string, string>;
  /** banks per /bank page (cursor pagination) */
  bankPageSize?: number;
}

type Obj = Record<string, unknown>;

const ok = (message: string, data: unknown, meta?: unknown): FakeResponse => ({
  json: { status: true, message, data, ...(meta ? { meta } : {}) },
});
const fail = (status: number, message: string): FakeResponse => ({ status, json: { status: false, message } });

export const FAKE_BANKS = [
  { name: "Access Bank", code: "044", active: true },
  { name: "Guaranty Trust Bank", code: "058", active: true },
  { name: "Zenith Bank", code: "057", active: true },
  { name: "First Bank of Nigeria", code: "011", active: true },
  { name: "Defunct Bank", code: "999", active: false },
].map((b, i) => ({ id: i + 1, slug: b.name.toLowerCase().replaceAll(" ", "-"), type: "nuban", currency: "NGN", ...b }));

export async function startPaystackFake(options: PaystackFakeOptions = {}) {
  const secretKey = options.secretKey ?? "sk_test_paystack_fake";
  const accounts = options.accounts ?? { "0001234567@058": "ADA OBI" };
  const transactions = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const recipients = new Map<string, Obj>();
  const transfers = new Map<string, Obj>();
  let balance = options.balance;
  let seq = 1000;
  const nextId = () => ++seq;

  const byAccessCode = (code: string) => [...transactions.values()].find((t) => t.access_code === code);

  function initialize(body: Obj, base: string): FakeResponse {
    const amount = body.amount;
    if (typeof body.email !== "string" || !body.email.includes("@")) return fail(400, "Invalid Email Address Passed");
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0)
      return fail(400, "Invalid Amount Sent");
    const reference = typeof body.reference === "string" ? body.reference : fakeId("T");
    if (!/^[A-Za-z0-9.=-]+$/.test(reference)) return fail(400, "Invalid transaction reference");
    if (transactions.has(reference)) return fail(400, "Duplicate Transaction Reference");
    const accessCode = fakeId("ac_", 10);
    transactions.set(reference, {
      id: nextId(),
      reference,
      access_code: accessCode,
      amount,
      currency: body.currency ?? "NGN",
      status: "abandoned",
      metadata: body.metadata ?? "",
      callback_url: body.callback_url ?? null,
      customer: { email: body.email },
      refunded: 0,
    });
    return ok("Authorization URL created", {
      authorization_url: `${base}/pay/${accessCode}`,
      access_code: accessCode,
      reference,
    });
  }

  /** A transaction as Paystack shows it (verify, charge.success), without the fake's bookkeeping. */
  const shown = (t: Obj): Obj => {
    const { refunded: _refunded, callback_url: _callback, ...rest } = t;
    return { ...rest, gateway_response: t.status === "success" ? "Successful" : "Declined", channel: "card" };
  };

  function refund(body: Obj): FakeResponse {
    const ref = String(body.transaction ?? "");
    const t = transactions.get(ref) ?? [...transactions.values()].find((x) => String(x.id) === ref);
    if (!t) return fail(404, "Transaction not found");
    if (t.status !== "success") return fail(400, "Cannot refund a transaction that was not successful");
    const remaining = (t.amount as number) - (t.refunded as number);
    const amount = body.amount === undefined ? remaining : body.amount;
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) return fail(400, "Invalid amount");
    if (amount > remaining) return fail(400, "Refund amount cannot be more than the unrefunded amount");
    t.refunded = (t.refunded as number) + amount;
    const created: Obj = {
      id: nextId(),
      transaction: { id: t.id, reference: t.reference },
      amount,
      currency: t.currency,
      status: "pending",
      merchant_note: body.merchant_note ?? null,
      customer_note: body.customer_note ?? null,
      refund_reference: null,
    };
    refunds.set(String(created.id), created);
    return ok("Refund has been queued for processing", created);
  }

  function transfer(body: Obj): FakeResponse {
    const recipient = recipients.get(String(body.recipient ?? ""));
    if (!recipient) return fail(400, "Recipient specified is invalid");
    const amount = body.amount;
    if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) return fail(400, "Invalid amount");
    const reference = String(body.reference ?? "");
    if (!/^[a-z0-9_-]{16,50}$/.test(reference)) return fail(400, "Invalid transfer reference");
    if (transfers.has(reference)) return fail(400, "Duplicate Transfer Reference");
    if (balance !== undefined) {
      if (balance < amount) return fail(400, "Your balance is not enough to fulfil this request");
      balance -= amount;
    }
    const created: Obj = {
      id: nextId(),
      transfer_code: fakeId("TRF_", 12),
      reference,
      amount,
      currency: body.currency ?? "NGN",
      source: body.source,
      reason: body.reason ?? null,
      recipient: recipient.recipient_code,
      status: options.otp ? "otp" : "pending",
    };
    transfers.set(reference, created);
    return ok(options.otp ? "Transfer requires OTP to continue" : "Transfer has been queued", created);
  }

  function route(request: RecordedRequest, base: string): FakeResponse {
    const body = (request.body ?? {}) as Obj;
    const { method, path, query } = request;
    const param = (pattern: RegExp) => {
      const found = path.match(pattern)?.[1];
      return found === undefined ? undefined : decodeURIComponent(found);
    };
    if (method === "POST" && path === "/transaction/initialize") return initialize(body, base);
    const transactionRef = param(/^\/transaction\/verify\/(.+)$/);
    if (method === "GET" && transactionRef) {
      const t = transactions.get(transactionRef);
      return t ? ok("Verification successful", shown(t)) : fail(404, "Transaction reference not found");
    }
    if (method === "POST" && path === "/refund") return refund(body);
    if (method === "GET" && path === "/refund") {
      const reference = query.get("reference");
      const list = [...refunds.values()].filter(
        (r) =>
          !reference ||
          (r.transaction as Obj).reference === reference ||
          String((r.transaction as Obj).id) === reference,
      );
      return ok("Refunds retrieved", list);
    }
    if (method === "GET" && path === "/bank") {
      const size = options.bankPageSize ?? Number(query.get("perPage") ?? 50);
      const start = Number(query.get("next") ?? 0);
      const page = FAKE_BANKS.filter((b) => b.currency === (query.get("currency") ?? "NGN")).slice(start, start + size);
      const next = start + size < FAKE_BANKS.length ? String(start + size) : null;
      return ok("Banks retrieved", page, { next, previous: null, perPage: size });
    }
    if (method === "GET" && path === "/bank/resolve") {
      const name = accounts[`${query.get("account_number")}@${query.get("bank_code")}`];
      return name
        ? ok("Account number resolved", {
            account_number: query.get("account_number"),
            account_name: name,
            bank_id: 9,
          })
        : fail(422, "Could not resolve account name. Check parameters or try again.");
    }
    if (method === "POST" && path === "/transferrecipient") {
      if (body.type !== "nuban") return fail(400, "Invalid recipient type");
      if (!FAKE_BANKS.some((b) => b.code === body.bank_code && b.active)) return fail(400, "Invalid bank code");
      if (!accounts[`${body.account_number}@${body.bank_code}`]) return fail(400, "Account number is invalid");
      const recipient: Obj = {
        id: nextId(),
        recipient_code: fakeId("RCP_", 12),
        type: "nuban",
        name: body.name,
        currency: body.currency ?? "NGN",
        details: { account_number: body.account_number, bank_code: body.bank_code },
      };
      recipients.set(recipient.recipient_code as string, recipient);
      return ok("Transfer recipient created successfully", recipient);
    }
    if (method === "POST" && path === "/transfer") return transfer(body);
    if (method === "POST" && path === "/transfer/finalize_transfer") {
      const t = [...transfers.values()].find((x) => x.transfer_code === body.transfer_code);
      if (t?.status !== "otp") return fail(400, "Transfer is not awaiting OTP");
      if (body.otp !== "123456") return fail(400, "Invalid OTP");
      t.status = "pending";
      return ok("Transfer has been queued", t);
    }
    const transferRef = param(/^\/transfer\/verify\/(.+)$/);
    if (method === "GET" && transferRef) {
      const t = transfers.get(transferRef);
      return t ? ok("Transfer retrieved", t) : fail(404, "Transfer not found");
    }
    return fail(404, `No route ${method} ${path}`);
  }

  /** where the hosted page delivers its webhook when the buyer pays (set with `deliverWebhooksTo`) */
  let webhook: { url: string; via?: Fetchable } | null = null;

  const fake = await startFakeServer(parseJson, async (request, base) => {
    const pay = request.path.match(/^\/pay\/([^/]+)$/);
    if (pay) {
      // The hosted page: a form whose button pays, delivers charge.success and returns the browser.
      const t = byAccessCode(pay[1] as string);
      if (!t) return { status: 404, html: "<p>Invalid access code</p>" };
      if (request.method === "GET")
        return {
          html: `<!doctype html><title>Fake Paystack</title><h1>Pay NGN ${escapeHtml(String(t.amount))} kobo</h1>
<form method="post"><button>Pay</button></form>`,
        };
      const event = api.pay(String(t.reference));
      if (webhook) await api.deliver(webhook.url, event, { via: webhook.via });
      const back = new URL(String(t.callback_url));
      back.searchParams.set("trxref", String(t.reference));
      back.searchParams.set("reference", String(t.reference));
      return { redirect: back.toString() };
    }
    if (request.headers.authorization !== `Bearer ${secretKey}`) return fail(401, "Invalid key");
    return route(request, base);
  });

  function transaction(reference: string) {
    const t = transactions.get(reference);
    if (!t) throw new Error(`fake paystack: no transaction ${reference}`);
    return t;
  }

  const api = {
    ...fake,
    /** The API's webhook URL (and, for an in-process test app, the app) the hosted page pays into. */
    deliverWebhooksTo(url: string, via?: Fetchable) {
      webhook = { url, via };
    },
    secretKey,
    env: () => ({ PAYSTACK_SECRET_KEY: secretKey, PAYSTACK_BASE_URL: fake.url }),
    transactions,
    refunds,
    recipients,
    transfers,

    /**
     * The buyer pays (`status` "failed" declines instead: Paystack sends no webhook then). `amount`
     * and `currency` tamper with what Paystack says was charged. Returns the `charge.success` body.
     */
    pay(reference: string, change: { status?: "success" | "failed"; amount?: number; currency?: string } = {}) {
      const t = transaction(reference);
      Object.assign(t, {
        status: change.status ?? "success",
        amount: change.amount ?? t.amount,
        currency: change.currency ?? t.currency,
        paid_at: new Date().toISOString(),
      });
      return { event: "charge.success", data: shown(t) };
    },
    /** Paystack finishes a queued refund: the `refund.processed` / `refund.failed` body. */
    settleRefund(id: string, status: "processed" | "failed") {
      const r = refunds.get(id);
      if (!r) throw new Error(`fake paystack: no refund ${id}`);
      r.status = status;
      r.refund_reference = fakeId("RF");
      const t = r.transaction as Obj;
      if (status === "failed") {
        const original = transactions.get(String(t.reference));
        if (original) original.refunded = (original.refunded as number) - (r.amount as number);
      }
      return {
        event: `refund.${status}`,
        data: {
          id: r.id,
          status,
          transaction_reference: t.reference,
          refund_reference: r.refund_reference,
          amount: r.amount,
          currency: r.currency,
          processor: "mastercard",
          domain: "test",
        },
      };
    },
    /** A transfer reaches its end: the `transfer.success` / `transfer.failed` / `transfer.reversed` body. */
    settleTransfer(reference: string, status: "success" | "failed" | "reversed", reason?: string) {
      const t = transfers.get(reference);
      if (!t) throw new Error(`fake paystack: no transfer ${reference}`);
      t.status = status;
      if (reason) t.reason = reason;
      return { event: `transfer.${status}`, data: { ...t } };
    },

    /** The `x-paystack-signature` of a raw body: hex HMAC-SHA512 keyed with the secret key. */
    signature: (rawBody: string, secret = secretKey) => createHmac("sha512", secret).update(rawBody).digest("hex"),
    /** Delivers a webhook body. `signature`: "bad" signs with another key, "missing" sends none. */
    deliver(url: string, body: unknown, delivery: { signature?: "bad" | "missing"; via?: Fetchable } = {}) {
      const raw = JSON.stringify(body);
      const headers: Record<string, string> = {};
      if (delivery.signature !== "missing")
        headers["x-paystack-signature"] = api.signature(
          raw,
          delivery.signature === "bad" ? "sk_test_other" : secretKey,
        );
      return postWebhook(url, raw, headers, delivery.via);
    },
  };
  return api;
}

export type PaystackFake = Awaited<ReturnType<typeof startPaystackFake>>;
