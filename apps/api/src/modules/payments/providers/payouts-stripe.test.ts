import { parseEnv } from "@lectern/config";
import { afterAll, describe, expect, it } from "vitest";
import { startStripeFake } from "../../../testing/fakes/stripe.ts";
import { ProviderError } from "./http.ts";
import { interpretPayoutEvent } from "./payout-events.ts";
import { createStripeConnectPayouts } from "./payouts-stripe.ts";
import { createStripeProvider } from "./stripe.ts";

const fake = await startStripeFake({ balance: { usd: 100_000, gbp: 0 } });
afterAll(() => fake.close());
const env = parseEnv({ NODE_ENV: "test", ...fake.env() });
const payouts = createStripeConnectPayouts(env);

async function readyAccount() {
  const { accountId } = await payouts.createConnectAccount({
    userId: crypto.randomUUID(),
    email: "creator@example.com",
    country: "US",
  });
  fake.setAccountReady(accountId, true);
  return accountId;
}

describe("Stripe Connect onboarding", () => {
  it("creates an Express account for transfers, links to onboarding, and reports readiness", async () => {
    const userId = crypto.randomUUID();
    const { accountId } = await payouts.createConnectAccount({ userId, email: "creator@example.com", country: "GB" });
    expect(accountId).toMatch(/^acct_/);
    const [sent] = fake.requestsTo("POST", "/v1/accounts").slice(-1);
    expect(sent?.headers["idempotency-key"]).toBe(`connect-account:${userId}`);
    expect(sent?.body).toMatchObject({
      controller: { stripe_dashboard: { type: "express" }, requirement_collection: "stripe" },
      capabilities: { transfers: { requested: "true" } },
      email: "creator@example.com",
      country: "GB",
      metadata: { userId },
    });

    const link = await payouts.onboardingLink(accountId, "http://x/refresh", "http://x/return");
    expect(link.url).toBe(`${fake.url}/onboarding/${accountId}`);
    expect(fake.requestsTo("POST", "/v1/account_links").at(-1)?.body).toEqual({
      account: accountId,
      type: "account_onboarding",
      refresh_url: "http://x/refresh",
      return_url: "http://x/return",
    });

    expect(await payouts.accountReady(accountId)).toBe(false);
    fake.setAccountReady(accountId, true);
    expect(await payouts.accountReady(accountId)).toBe(true);
  });
});

describe("Stripe Connect payouts", () => {
  it("transfers the amount to the creator's account once per withdrawal", async () => {
    const accountId = await readyAccount();
    const withdrawalId = crypto.randomUUID();
    const request = { withdrawalId, amount: 2500, currency: "USD" as const, destination: { accountId } };
    const first = await payouts.send(request);
    const retried = await payouts.send(request);

    expect(first).toEqual({ status: "paid", providerRef: expect.stringMatching(/^tr_/) });
    expect(retried).toEqual(first);
    expect([...fake.transfers.values()].filter((t) => t.destination === accountId)).toHaveLength(1);
    const sent = fake.requestsTo("POST", "/v1/transfers").at(-1);
    expect(sent?.headers["idempotency-key"]).toBe(`payout:${withdrawalId}`);
    expect(sent?.body).toMatchObject({
      amount: "2500",
      currency: "usd",
      destination: accountId,
      metadata: { withdrawalId },
    });
  });

  it("fails (releasing the funds) when Stripe refuses: no account, not onboarded, no platform balance", async () => {
    const before = fake.requestsTo("POST", "/v1/transfers").length;
    const noMethod = await payouts.send({
      withdrawalId: crypto.randomUUID(),
      amount: 1,
      currency: "USD",
      destination: {},
    });
    expect(noMethod).toMatchObject({ status: "failed" });
    expect(fake.requestsTo("POST", "/v1/transfers")).toHaveLength(before);

    const { accountId: pending } = await payouts.createConnectAccount({ userId: crypto.randomUUID(), email: "a@b.c" });
    const notReady = await payouts.send({
      withdrawalId: crypto.randomUUID(),
      amount: 100,
      currency: "USD",
      destination: { accountId: pending },
    });
    expect(notReady).toMatchObject({ status: "failed", reason: expect.stringContaining("capabilities") });

    const accountId = await readyAccount();
    const broke = await payouts.send({
      withdrawalId: crypto.randomUUID(),
      amount: 100,
      currency: "GBP",
      destination: { accountId },
    });
    expect(broke).toMatchObject({ status: "failed", reason: expect.stringContaining("insufficient available funds") });
  });

  it("an outage is thrown for a retry with the same key, not failed", async () => {
    const accountId = await readyAccount();
    fake.failNext("POST", "/v1/transfers", { status: 500, json: { error: { type: "api_error", message: "boom" } } });
    const error = await payouts
      .send({ withdrawalId: crypto.randomUUID(), amount: 100, currency: "USD", destination: { accountId } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("transfer.reversed (verified on the Stripe endpoint) fails the withdrawal; a partial reversal does not", async () => {
    const accountId = await readyAccount();
    const withdrawalId = crypto.randomUUID();
    const sent = await payouts.send({ withdrawalId, amount: 1000, currency: "USD", destination: { accountId } });
    if (sent.status !== "paid") throw new Error("expected a transfer");

    const partial = fake.reverseTransfer(sent.providerRef, 400);
    expect(interpretPayoutEvent("stripe", { type: partial.type, payload: partial })).toBeNull();

    const full = fake.reverseTransfer(sent.providerRef, 600);
    const raw = JSON.stringify(full);
    const verified = await createStripeProvider(env).verifyWebhook({
      rawBody: raw,
      headers: new Headers({ "stripe-signature": fake.signature(raw) }),
      url: new URL("http://localhost/webhooks/stripe"),
    });
    expect(interpretPayoutEvent("stripe", verified)).toEqual({
      withdrawalId,
      status: "failed",
      reason: "The transfer was reversed",
    });
  });
});
