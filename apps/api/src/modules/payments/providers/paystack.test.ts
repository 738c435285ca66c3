import { parseEnv } from "@lectern/config";
import { afterAll, describe, expect, it } from "vitest";
import { startPaystackFake } from "../../../testing/fakes/paystack.ts";
import { ProviderError } from "./http.ts";
import { createPaystackProvider } from "./paystack.ts";
import { type CheckoutRequest, WebhookSignatureError } from "./types.ts";

const fake = await startPaystackFake();
afterAll(() => fake.close());
const provider = createPaystackProvider(parseEnv({ NODE_ENV: "test", ...fake.env() }));

const WEBHOOK_URL = "http://127.0.0.1:1/webhooks/paystack";

const checkoutRequest = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
  orderId: crypto.randomUUID(),
  amount: 500_000,
  currency: "NGN",
  description: "Lectern · Regular (12 sessions)",
  buyer: { id: "u1", email: "buyer@example.com", name: "Chidi Buyer" },
  returnUrl: "http://localhost:5173/orders/return",
  cancelUrl: "http://localhost:5173/orders/cancelled",
  expiresAt: new Date(Date.now() + 60 * 60 * 1000),
  ...over,
});

/** The raw body and headers as the webhook route receives them. */
async function receive(body: unknown, delivery: { signature?: "bad" | "missing" } = {}) {
  let captured: { rawBody: string; headers: Headers } | undefined;
  await fake.deliver(WEBHOOK_URL, body, {
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

async function paid(amount = 500_000) {
  const request = checkoutRequest({ amount });
  const started = await provider.startCheckout(request);
  const body = fake.pay(started.providerRef);
  return { request, started, body };
}

describe("Paystack checkout", () => {
  it("initializes a transaction with a fresh reference per attempt, read back to the order", async () => {
    const request = checkoutRequest();
    const first = await provider.startCheckout(request);
    const second = await provider.startCheckout(request);

    expect(first.providerRef).not.toBe(second.providerRef);
    expect(first.providerRef.startsWith(`${request.orderId}.`)).toBe(true);
    expect(first.url).toMatch(new RegExp(`^${fake.url}/pay/`));
    const [sent] = fake.requestsTo("POST", "/transaction/initialize").slice(-2);
    expect(sent?.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(sent?.body).toEqual({
      email: "buyer@example.com",
      amount: 500_000,
      currency: "NGN",
      reference: first.providerRef,
      callback_url: request.returnUrl,
      metadata: { orderId: request.orderId, cancel_action: request.cancelUrl },
    });
  });

  it("a refused initialize is a ProviderError with Paystack's message", async () => {
    const error = await provider.startCheckout(checkoutRequest({ amount: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain("Invalid Amount Sent");
    expect((error as ProviderError).retryable).toBe(false);
  });
});

describe("Paystack webhook signatures", () => {
  it("accepts the HMAC-SHA512 of the raw body and names the event by type and transaction id", async () => {
    const { body } = await paid();
    const verified = await receive(body);
    expect(verified).toEqual({ id: `charge.success:${body.data.id}`, type: "charge.success", payload: body });
    // A redelivery is the same event.
    expect((await receive(body)).id).toBe(verified.id);
  });

  it("refuses another key's signature, a missing one, a truncated one and a body changed after signing", async () => {
    const { body } = await paid();
    await expect(receive(body, { signature: "bad" })).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(receive(body, { signature: "missing" })).rejects.toBeInstanceOf(WebhookSignatureError);

    const raw = JSON.stringify(body);
    const signature = fake.signature(raw);
    const check = (rawBody: string, sig: string) =>
      provider.verifyWebhook({
        rawBody,
        headers: new Headers({ "x-paystack-signature": sig }),
        url: new URL(WEBHOOK_URL),
      });
    // A shorter signature is refused by the length check (timingSafeEqual would throw on it).
    await expect(check(raw, signature.slice(0, 64))).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(check(raw.replace('"amount":500000', '"amount":1'), signature)).rejects.toBeInstanceOf(
      WebhookSignatureError,
    );
    await expect(check(raw, signature)).resolves.toMatchObject({ type: "charge.success" });
  });
});

describe("Paystack events", () => {
  it("charge.success pays the order its reference names, with the amount Paystack charged", async () => {
    const { request, started, body } = await paid(750_000);
    expect(provider.interpret(await receive(body))).toEqual({
      kind: "paid",
      orderId: request.orderId,
      paymentRef: started.providerRef,
      amount: 750_000,
      currency: "NGN",
    });
  });

  it("a tampered amount or currency is reported as charged, for the order's own check", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const body = fake.pay(started.providerRef, { amount: 100, currency: "USD" });
    expect(provider.interpret(await receive(body))).toMatchObject({ kind: "paid", amount: 100, currency: "USD" });
  });

  it("a transaction Lectern did not start means nothing", async () => {
    const body = {
      event: "charge.success",
      data: { id: 1, reference: "T12345", status: "success", amount: 1, currency: "NGN" },
    };
    expect(provider.interpret(await receive(body))).toBeNull();
  });
});

describe("Paystack lookup (verify)", () => {
  it("unpaid is unsettled, success pays, failure fails; the id is stable", async () => {
    const request = checkoutRequest();
    const started = await provider.startCheckout(request);
    const order = { id: request.orderId, providerRef: started.providerRef };
    expect(await provider.lookup(order)).toBeNull();

    fake.pay(started.providerRef);
    const found = await provider.lookup(order);
    expect(found?.id).toBe(`lookup:${started.providerRef}:success`);
    expect(found && provider.interpret(found)).toMatchObject({
      kind: "paid",
      orderId: request.orderId,
      amount: 500_000,
    });
    expect(fake.requestsTo("GET", `/transaction/verify/${started.providerRef}`)).toHaveLength(2);

    const other = await provider.startCheckout(checkoutRequest());
    fake.pay(other.providerRef, { status: "failed" });
    const failed = await provider.lookup({ id: "x", providerRef: other.providerRef });
    expect(failed && provider.interpret(failed)).toMatchObject({ kind: "failed", reason: "Declined" });

    expect(await provider.lookup({ id: "x", providerRef: `${crypto.randomUUID()}.abc` })).toBeNull();
  });
});

describe("Paystack refunds", () => {
  it("queues a refund once per refund id, and settles it from refund.processed / refund.failed", async () => {
    const { request, started } = await paid(900_000);
    const base = { orderId: request.orderId, paymentRef: started.providerRef, currency: "NGN" as const, reason: "r" };
    const refundId = crypto.randomUUID();
    const first = await provider.refund({ ...base, amount: 300_000, refundId });
    const retried = await provider.refund({ ...base, amount: 300_000, refundId });

    expect(first.status).toBe("pending");
    expect(retried).toEqual(first);
    expect(fake.requestsTo("POST", "/refund").filter((r) => r.rawBody.includes(refundId))).toHaveLength(1);
    expect(fake.requestsTo("POST", "/refund").at(-1)?.body).toMatchObject({
      transaction: started.providerRef,
      amount: 300_000,
      currency: "NGN",
    });

    const processed = fake.settleRefund(first.refundRef, "processed");
    expect(provider.interpret(await receive(processed))).toEqual({
      kind: "refunded",
      orderId: request.orderId,
      refundRef: first.refundRef,
      amount: 300_000,
      currency: "NGN",
    });

    const second = await provider.refund({ ...base, amount: 100_000, refundId: crypto.randomUUID() });
    const failed = fake.settleRefund(second.refundRef, "failed");
    expect(provider.interpret(await receive(failed))).toMatchObject({
      kind: "refund_failed",
      orderId: request.orderId,
      refundRef: second.refundRef,
    });
  });

  it("refunding more than remains is refused", async () => {
    const { request, started } = await paid(1000);
    const error = await provider
      .refund({
        orderId: request.orderId,
        paymentRef: started.providerRef,
        amount: 1001,
        currency: "NGN",
        refundId: crypto.randomUUID(),
        reason: "r",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
  });

  it("an outage is retryable", async () => {
    fake.failNext("GET", "/refund", { status: 503, json: { status: false, message: "down" } });
    const { request, started } = await paid(1000);
    const error = await provider
      .refund({
        orderId: request.orderId,
        paymentRef: started.providerRef,
        amount: 10,
        currency: "NGN",
        refundId: crypto.randomUUID(),
        reason: "r",
      })
      .catch((e: unknown) => e);
    expect((error as ProviderError).retryable).toBe(true);
  });
});
