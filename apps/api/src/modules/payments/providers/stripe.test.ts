import { parseEnv } from "@lectern/config";
import { afterAll, describe, expect, it } from "vitest";
import { startStripeFake } from "../../../testing/fakes/stripe.ts";
import { ProviderError } from "./http.ts";
import { createStripeProvider } from "./stripe.ts";
import { type CheckoutRequest, WebhookSignatureError } from "./types.ts";

const fake = await startStripeFake();
afterAll(() => fake.close());
const provider = createStripeProvider(parseEnv({ NODE_ENV: "test", ...fake.env() }));

const checkoutRequest = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: crypto.randomUUID(),
  amount: 1500,
  currency: "USD",
  description: "Lectern · Regular (12 sessions)",
  buyer: { id: "u1", email: "buyer@example.com", name: "Ada Buyer" },
  returnUrl: "http://localhost:5173/orders/return?order=1",
  cancelUrl: "http://localhost:5173/orders/cancelled",
  expiresAt: new Date(Date.now() + 60 * 60 * 1000),
  ...over,
});

const WEBHOOK_URL = "http://127.0.0.1:1/webhooks/stripe";

/** What the API's webhook route hands the provider: the raw body and headers exactly as sent. */
async function receive(payload: unknown, delivery: Parameters<typeof fake.deliver>[2] = {}) {
  let captured: { rawBody: string; headers: Headers } | undefined;
  await fake.deliver(WEBHOOK_URL, payload, {
    ...delivery,
    via: {
      request: async (_path, init) => {
        captured = { rawBody: String(init?.body), headers: new Headers(init?.headers) };
        return new Response("ok");
      },
    },
  });
  if (!captured) throw new Error("nothing delivered");
  return provider.verifyWebhook({ ...captured, url: new URL(WEBHOOK_URL) });
}

async function paidSession(amount = 1500) {
  const request = checkoutRequest({ amount });
  const started = await provider.startCheckout(request);
  const event = fake.completeSession(started.providerRef);
  return { request, started, event, paymentIntent: String(fake.sessions.get(started.providerRef)?.payment_intent) };
}

describe("Stripe checkout", () => {
  it("creates a hosted payment session for the order, keyed by the order id", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);

    expect(started.providerRef).toMatch(/^cs_test_/);
    expect(started.url).toBe(`${fake.url}/pay/${started.providerRef}`);
    const [sent] = fake.requestsTo("POST", "/v1/checkout/sessions").slice(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(sent?.headers["idempotency-key"]).toBe(`checkout:${request.orderId}`);
    expect(sent?.body).toMatchObject({
      mode: "payment",
      line_items: [
        {
          quantity: "1",
          price_data: { currency: "usd", unit_amount: "1500", product_data: { name: request.description } },
        },
      ],
      client_reference_id: request.orderId,
      metadata: { orderId: request.orderId },
      payment_intent_data: { metadata: { orderId: request.orderId } },
      customer_email: "buyer@example.com",
      // The placeholder reaches Stripe literally, after the return URL's own query.
      success_url: "http://localhost:5173/orders/return?order=1&session_id={CHECKOUT_SESSION_ID}",
      cancel_url: request.cancelUrl,
      expires_at: String(Math.floor(request.expiresAt.getTime() / 1000)),
    });
  });

  it("a second start for the same order gets the same session back (idempotency key)", async () => {
    const request = checkoutRequest();
    const first = await provider.startCheckout(request);
    const second = await provider.startCheckout(request);
    expect(second).toEqual(first);
    expect([...fake.sessions.values()].filter((s) => s.client_reference_id === request.orderId)).toHaveLength(1);
  });

  it("an order expiring sooner than Stripe's 30-minute minimum still gets a session", async () => {
    const request = checkoutRequest({ expiresAt: new Date(Date.now() + 5 * 60 * 1000) });
    const started = await provider.startCheckout(request);
    const expiresAt = Number(fake.sessions.get(started.providerRef)?.expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 30 * 60);
  });

  it("a refusal or an outage surfaces as a ProviderError saying whether to retry", async () => {
    fake.failNext("POST", "/v1/checkout/sessions", {
      status: 500,
      json: { error: { type: "api_error", message: "boom" } },
    });
    const outage = await provider.startCheckout(checkoutRequest()).catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(ProviderError);
    expect((outage as ProviderError).retryable).toBe(true);

    const refused = await provider.startCheckout(checkoutRequest({ amount: 1.5 as number })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).retryable).toBe(false);
  });
});

describe("Stripe webhook signatures", () => {
  it("accepts a correctly signed event and returns Stripe's event id and type", async () => {
    const { event } = await paidSession();
    const verified = await receive(event);
    expect(verified).toMatchObject({ id: event.id, type: "checkout.session.completed" });
    expect(verified.payload).toEqual(event);
  });

  it("refuses another secret's signature, no signature, and a body changed after signing", async () => {
    const { event } = await paidSession();
    await expect(receive(event, { signature: "bad" })).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(receive(event, { signature: "missing" })).rejects.toBeInstanceOf(WebhookSignatureError);

    const raw = JSON.stringify(event);
    const header = fake.signature(raw);
    const tampered = raw.replace(`"amount_total":1500`, `"amount_total":1`);
    expect(tampered).not.toBe(raw);
    await expect(
      provider.verifyWebhook({
        rawBody: tampered,
        headers: new Headers({ "stripe-signature": header }),
        url: new URL(WEBHOOK_URL),
      }),
    ).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it("refuses a signature older than 300 seconds and accepts one just inside the window", async () => {
    const { event } = await paidSession();
    const now = Math.floor(Date.now() / 1000);
    await expect(receive(event, { timestamp: now - 301 })).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(receive(event, { timestamp: now - 250 })).resolves.toMatchObject({ id: event.id });
  });
});

describe("Stripe events", () => {
  it("completed and paid: paid with the charged amount, currency and payment intent", async () => {
    const { request, event, paymentIntent } = await paidSession(2599);
    expect(provider.interpret(await receive(event))).toEqual({
      kind: "paid",
      orderId: request.orderId,
      paymentRef: paymentIntent,
      amount: 2599,
      currency: "USD",
    });
  });

  it("reports what was really charged, so a tampered amount or currency is caught by the order's check", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const event = fake.completeSession(started.providerRef, { amount: 1, currency: "eur" });
    expect(provider.interpret(await receive(event))).toMatchObject({ kind: "paid", amount: 1, currency: "EUR" });
  });

  it("a delayed method: completed unpaid means nothing yet; async success pays, async failure fails", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const completed = fake.completeSession(started.providerRef, { paymentStatus: "unpaid" });
    expect(provider.interpret(await receive(completed))).toBeNull();

    const succeeded = fake.settleAsyncPayment(started.providerRef, "succeeded");
    expect(provider.interpret(await receive(succeeded))).toMatchObject({ kind: "paid", orderId: request.orderId });

    const other = await provider.startCheckout(checkoutRequest());
    fake.completeSession(other.providerRef, { paymentStatus: "unpaid" });
    const failed = fake.settleAsyncPayment(other.providerRef, "failed");
    expect(provider.interpret(await receive(failed))).toMatchObject({ kind: "failed" });
  });

  it("an expired session expires the order", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const expired = fake.expireSession(started.providerRef);
    expect(provider.interpret(await receive(expired))).toMatchObject({ kind: "expired", orderId: request.orderId });
  });

  it("events about sessions Lectern did not create, and other types, mean nothing", async () => {
    const foreign = fake.event("checkout.session.completed", {
      id: "cs_test_x",
      payment_status: "paid",
      amount_total: 100,
      currency: "usd",
      client_reference_id: null,
      metadata: {},
    });
    expect(provider.interpret(await receive(foreign))).toBeNull();
    expect(provider.interpret({ type: "payment_intent.created", payload: foreign })).toBeNull();
    expect(provider.eventTypes).toContain("checkout.session.completed");
  });
});

describe("Stripe lookup", () => {
  it("an open session is unsettled; a paid or expired one reads like its webhook, with a stable id", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const order = { id: request.orderId, providerRef: started.providerRef };
    expect(await provider.lookup(order)).toBeNull();

    fake.completeSession(started.providerRef);
    const paid = await provider.lookup(order);
    expect(paid?.id).toBe(`lookup:${started.providerRef}:paid`);
    expect((await provider.lookup(order))?.id).toBe(paid?.id);
    expect(paid && provider.interpret(paid)).toMatchObject({ kind: "paid", orderId: request.orderId, amount: 1500 });

    const other = await provider.startCheckout(checkoutRequest());
    fake.expireSession(other.providerRef);
    const expired = await provider.lookup({ id: "x", providerRef: other.providerRef });
    expect(expired?.id).toBe(`lookup:${other.providerRef}:expired`);
    expect(expired && provider.interpret(expired)).toMatchObject({ kind: "expired" });
  });
});

describe("Stripe refunds", () => {
  it("refunds the payment intent once per refund id, carrying our ids in metadata", async () => {
    const { request, paymentIntent } = await paidSession(3000);
    const refundId = crypto.randomUUID();
    const refund = {
      orderId: request.orderId,
      paymentRef: paymentIntent,
      amount: 1000,
      currency: "USD" as const,
      refundId,
      reason: "Changed my mind",
    };
    const first = await provider.refund(refund);
    const retried = await provider.refund(refund);

    expect(first).toEqual({ refundRef: expect.stringMatching(/^re_/), status: "succeeded" });
    expect(retried).toEqual(first);
    const sent = fake
      .requestsTo("POST", "/v1/refunds")
      .filter((r) => r.headers["idempotency-key"] === `refund:${refundId}`);
    expect(sent).toHaveLength(2);
    expect(sent[0]?.body).toMatchObject({
      payment_intent: paymentIntent,
      amount: "1000",
      metadata: { orderId: request.orderId, refundId, reason: "Changed my mind" },
    });
    expect([...fake.refunds.values()].filter((r) => r.payment_intent === paymentIntent)).toHaveLength(1);

    // refund.created carries the outcome of a refund born succeeded.
    const created = fake.event("refund.created", fake.refunds.get(first.refundRef));
    expect(provider.interpret(await receive(created))).toEqual({
      kind: "refunded",
      orderId: request.orderId,
      refundRef: first.refundRef,
      amount: 1000,
      currency: "USD",
    });
  });

  it("a pending refund settles later by refund.updated or refund.failed", async () => {
    const pendingFake = await startStripeFake({ refundStatus: "pending" });
    try {
      const p = createStripeProvider(parseEnv({ NODE_ENV: "test", ...pendingFake.env() }));
      const started = await p.startCheckout(checkoutRequest());
      pendingFake.completeSession(started.providerRef);
      const paymentRef = String(pendingFake.sessions.get(started.providerRef)?.payment_intent);
      const orderId = String(pendingFake.sessions.get(started.providerRef)?.client_reference_id);
      const base = { orderId, paymentRef, currency: "USD" as const, reason: "r" };

      const a = await p.refund({ ...base, amount: 500, refundId: crypto.randomUUID() });
      expect(a.status).toBe("pending");
      const pendingCreated = pendingFake.event("refund.created", pendingFake.refunds.get(a.refundRef));
      expect(p.interpret({ type: pendingCreated.type, payload: pendingCreated })).toBeNull();
      const updated = pendingFake.settleRefund(a.refundRef, "succeeded");
      expect(p.interpret({ type: updated.type, payload: updated })).toMatchObject({ kind: "refunded", amount: 500 });

      const b = await p.refund({ ...base, amount: 500, refundId: crypto.randomUUID() });
      const failed = pendingFake.settleRefund(b.refundRef, "failed");
      expect(failed.type).toBe("refund.failed");
      expect(p.interpret({ type: failed.type, payload: failed })).toMatchObject({
        kind: "refund_failed",
        orderId,
        refundRef: b.refundRef,
      });
    } finally {
      await pendingFake.close();
    }
  });

  it("refunding more than remains is a definite refusal", async () => {
    const { request, paymentIntent } = await paidSession(1000);
    const error = await provider
      .refund({
        orderId: request.orderId,
        paymentRef: paymentIntent,
        amount: 1001,
        currency: "USD",
        refundId: crypto.randomUUID(),
        reason: "r",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
  });
});
