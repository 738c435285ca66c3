import { parseEnv } from "@lectern/config";
import { afterAll, describe, expect, it } from "vitest";
import { startPaymobFake } from "../../../testing/fakes/paymob.ts";
import { ProviderError } from "./http.ts";
import { createPaymobProvider, paymobHmacMessage } from "./paymob.ts";
import { type CheckoutRequest, WebhookSignatureError } from "./types.ts";

const fake = await startPaymobFake();
afterAll(() => fake.close());
const provider = createPaymobProvider(parseEnv({ NODE_ENV: "test", ...fake.env() }));

const WEBHOOK_URL = "http://127.0.0.1:1/webhooks/paymob";

const checkoutRequest = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: crypto.randomUUID(),
  amount: 45_000,
  currency: "EGP",
  description: "Lectern · Regular (12 sessions)",
  buyer: { id: "u1", email: "buyer@example.com", name: "Mona Ahmed Ali" },
  returnUrl: "http://localhost:5173/orders/return",
  cancelUrl: "http://localhost:5173/orders/cancelled",
  expiresAt: new Date(Date.now() + 60 * 60 * 1000),
  ...over,
});

/** The raw body, headers and URL (with its `hmac` query) as the webhook route receives them. */
async function receive(body: { obj: unknown }, delivery: { signature?: "bad" | "missing" } = {}) {
  let captured: { rawBody: string; headers: Headers; url: URL } | undefined;
  await fake.deliver(WEBHOOK_URL, body, {
    ...delivery,
    via: {
      request: async (path, init) => {
        captured = {
          rawBody: String(init?.body),
          headers: new Headers(init?.headers),
          url: new URL(path, "http://localhost"),
        };
        return new Response("ok");
      },
    },
  });
  if (!captured) throw new Error("nothing delivered");
  return provider.verifyWebhook(captured);
}

async function paid(amount = 45_000) {
  const request = checkoutRequest({ amount });
  const started = await provider.startCheckout(request);
  const body = fake.pay(Number(started.providerRef));
  return { request, started, body };
}

describe("Paymob HMAC", () => {
  it("concatenates the 20 fields exactly as Paymob's worked example", () => {
    const obj = {
      amount_cents: 100,
      created_at: "2020-03-25T18:39:44.719228",
      currency: "EGP",
      error_occured: false,
      has_parent_transaction: false,
      id: 2556706,
      integration_id: 6741,
      is_3d_secure: true,
      is_auth: false,
      is_capture: false,
      is_refunded: false,
      is_standalone_payment: true,
      is_voided: false,
      order: { id: 4778239 },
      owner: 4705,
      pending: false,
      source_data: { pan: "2346", sub_type: "MasterCard", type: "card" },
      success: true,
    };
    expect(paymobHmacMessage(obj)).toBe(
      "1002020-03-25T18:39:44.719228EGPfalsefalse25567066741truefalsefalsefalsetruefalse47782394705false2346MasterCardcardtrue",
    );
  });
});

describe("Paymob checkout", () => {
  it("authenticates, registers an order per attempt, mints a payment key and points at the iframe", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);

    const order = fake.orders.get(Number(started.providerRef));
    expect(order?.merchant_order_id).toMatch(new RegExp(`^${request.orderId}\\.`));
    expect(fake.requestsTo("POST", "/api/ecommerce/orders").at(-1)?.body).toMatchObject({
      delivery_needed: false,
      amount_cents: 45_000,
      currency: "EGP",
      items: [],
    });
    const key = fake.requestsTo("POST", "/api/acceptance/payment_keys").at(-1)?.body as Record<string, unknown>;
    expect(key).toMatchObject({
      amount_cents: 45_000,
      order_id: Number(started.providerRef),
      currency: "EGP",
      integration_id: Number(fake.env().PAYMOB_INTEGRATION_ID),
      lock_order_when_paid: true,
      billing_data: { first_name: "Mona", last_name: "Ahmed Ali", email: "buyer@example.com", phone_number: "NA" },
    });
    expect(key.expiration).toBeGreaterThan(3500);
    expect(key.expiration).toBeLessThanOrEqual(3600);

    const url = new URL(started.url);
    expect(url.pathname).toBe(`/api/acceptance/iframes/${fake.env().PAYMOB_IFRAME_ID}`);
    expect((await fetch(started.url)).status).toBe(200);

    // A second attempt for the same order is a new Paymob order; the auth token is reused.
    const again = await provider.startCheckout(request);
    expect(again.providerRef).not.toBe(started.providerRef);
    expect(fake.requestsTo("POST", "/api/auth/tokens")).toHaveLength(1);
  });

  it("a refusal is a ProviderError", async () => {
    fake.failNext("POST", "/api/acceptance/payment_keys", { status: 400, json: { detail: "Invalid integration" } });
    const error = await provider.startCheckout(checkoutRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain("Invalid integration");
  });
});

describe("Paymob processed callback", () => {
  it("verifies the HMAC in the query and names the event by transaction and state", async () => {
    const { body } = await paid();
    const verified = await receive(body);
    expect(verified).toEqual({ id: `txn:${body.obj.id}:paid`, type: "transaction.paid", payload: body });
    expect(provider.eventTypes).toContain("transaction.paid");
  });

  it("refuses another secret's HMAC, none, a truncated one, a changed body and a non-JSON body", async () => {
    const { body } = await paid();
    await expect(receive(body, { signature: "bad" })).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(receive(body, { signature: "missing" })).rejects.toBeInstanceOf(WebhookSignatureError);
    const hmac = fake.signature(body);
    const check = (rawBody: string, sig: string) =>
      provider.verifyWebhook({
        rawBody,
        headers: new Headers(),
        url: new URL(`${WEBHOOK_URL}?hmac=${sig}`),
      });
    await expect(check(JSON.stringify(body), hmac.slice(1))).rejects.toBeInstanceOf(WebhookSignatureError);
    const tampered = { ...body, obj: { ...body.obj, amount_cents: 1 } };
    await expect(check(JSON.stringify(tampered), hmac)).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(check("not json", hmac)).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(check(JSON.stringify(body), hmac)).resolves.toMatchObject({ type: "transaction.paid" });
  });

  it("a paid transaction pays its order with what Paymob charged", async () => {
    const { request, body } = await paid(60_000);
    expect(provider.interpret(await receive(body))).toEqual({
      kind: "paid",
      orderId: request.orderId,
      paymentRef: String(body.obj.id),
      amount: 60_000,
      currency: "EGP",
    });

    const other = checkoutRequest();
    const started = await provider.startCheckout(other);
    const tampered = fake.pay(Number(started.providerRef), { amount: 100, currency: "USD" });
    expect(provider.interpret(await receive(tampered))).toMatchObject({ kind: "paid", amount: 100, currency: "USD" });
  });

  it("declined and pending transactions leave the order open", async () => {
    const started = await provider.startCheckout(checkoutRequest());
    const declined = await receive(fake.pay(Number(started.providerRef), { success: false }));
    expect(declined.type).toBe("transaction.declined");
    expect(provider.interpret(declined)).toBeNull();
    const pending = await receive(fake.pay(Number(started.providerRef), { pending: true }));
    expect(pending.type).toBe("transaction.pending");
    expect(provider.interpret(pending)).toBeNull();
  });
});

describe("Paymob lookup", () => {
  it("finds the paid transaction of the order, under the same event id as its callback", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const order = { id: request.orderId, providerRef: started.providerRef };
    expect(await provider.lookup(order)).toBeNull();

    fake.pay(Number(started.providerRef), { success: false });
    expect(await provider.lookup(order)).toBeNull();
    const body = fake.pay(Number(started.providerRef));
    const found = await provider.lookup(order);
    expect(found?.id).toBe(`txn:${body.obj.id}:paid`);
    expect(found && provider.interpret(found)).toMatchObject({
      kind: "paid",
      orderId: request.orderId,
      amount: 45_000,
    });
  });

  it("inquires each transaction when the order lists ids only", async () => {
    const idsFake = await startPaymobFake({ orderTransactions: "ids" });
    try {
      const p = createPaymobProvider(parseEnv({ NODE_ENV: "test", ...idsFake.env() }));
      const request = checkoutRequest();
      const started = await p.startCheckout(request);
      const body = idsFake.pay(Number(started.providerRef));
      const found = await p.lookup({ id: request.orderId, providerRef: started.providerRef });
      expect(found?.id).toBe(`txn:${body.obj.id}:paid`);
      expect(idsFake.requestsTo("GET", `/api/acceptance/transactions/${body.obj.id}`)).toHaveLength(1);
      expect(found && p.interpret(found)).toMatchObject({ kind: "paid", orderId: request.orderId });
    } finally {
      await idsFake.close();
    }
  });
});

describe("Paymob refunds", () => {
  it("refunds part of a transaction and settles it from the refund's callback", async () => {
    const { request, body } = await paid(50_000);
    const result = await provider.refund({
      orderId: request.orderId,
      paymentRef: String(body.obj.id),
      amount: 20_000,
      currency: "EGP",
      refundId: crypto.randomUUID(),
      reason: "r",
    });
    expect(result).toEqual({ refundRef: expect.any(String), status: "succeeded" });
    expect(fake.requestsTo("POST", "/api/acceptance/void_refund/refund").at(-1)?.body).toMatchObject({
      transaction_id: body.obj.id,
      amount_cents: 20_000,
    });

    const refundCallback = await receive(fake.callback(Number(result.refundRef)));
    expect(refundCallback).toMatchObject({ id: `txn:${result.refundRef}:refund:20000`, type: "transaction.refund" });
    expect(provider.interpret(refundCallback)).toEqual({
      kind: "refunded",
      orderId: request.orderId,
      refundRef: result.refundRef,
      amount: 20_000,
      currency: "EGP",
    });

    const declined = await receive(fake.callback(Number(result.refundRef), { success: false }));
    expect(provider.interpret(declined)).toMatchObject({ kind: "refund_failed", refundRef: result.refundRef });
  });

  it("refunding more than remains is refused", async () => {
    const { request, body } = await paid(1000);
    const error = await provider
      .refund({
        orderId: request.orderId,
        paymentRef: String(body.obj.id),
        amount: 1001,
        currency: "EGP",
        refundId: crypto.randomUUID(),
        reason: "r",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
  });
});
