import { parseEnv } from "@lectern/config";
import { afterAll, describe, expect, it } from "vitest";
import { startPaystackFake } from "../../../testing/fakes/paystack.ts";
import { ProviderError } from "./http.ts";
import { interpretPayoutEvent, PAYOUT_EVENT_TYPES } from "./payout-events.ts";
import { createPaystackPayouts, paystackTransferReference, withdrawalIdFromReference } from "./payouts-paystack.ts";
import { createPaystackProvider } from "./paystack.ts";

const fake = await startPaystackFake({ balance: 1_000_000, bankPageSize: 2 });
afterAll(() => fake.close());
const env = parseEnv({ NODE_ENV: "test", ...fake.env() });
const payouts = createPaystackPayouts(env);

const recipient = async () =>
  (await payouts.createRecipient({ name: "ADA OBI", accountNumber: "0001234567", bankCode: "058" })).recipientCode;

describe("Paystack bank accounts", () => {
  it("lists the active NGN banks across cursor pages", async () => {
    const banks = await payouts.listBanks();
    expect(banks.map((b) => b.code)).toEqual(["044", "058", "057", "011"]);
    expect(fake.requestsTo("GET", "/bank").length).toBeGreaterThanOrEqual(3);
  });

  it("resolves an account's holder name, and says null for an unknown account", async () => {
    expect(await payouts.resolveAccount("0001234567", "058")).toEqual({
      accountNumber: "0001234567",
      accountName: "ADA OBI",
    });
    expect(await payouts.resolveAccount("0009999999", "058")).toBeNull();
    fake.failNext("GET", "/bank/resolve", { status: 502, json: { status: false, message: "gateway" } });
    await expect(payouts.resolveAccount("0001234567", "058")).rejects.toBeInstanceOf(ProviderError);
  });

  it("saves a resolved account as a nuban transfer recipient", async () => {
    const code = await recipient();
    expect(code).toMatch(/^RCP_/);
    expect(fake.requestsTo("POST", "/transferrecipient").at(-1)?.body).toEqual({
      type: "nuban",
      name: "ADA OBI",
      account_number: "0001234567",
      bank_code: "058",
      currency: "NGN",
    });
    await expect(payouts.createRecipient({ name: "X", accountNumber: "0001234567", bankCode: "999" })).rejects.toThrow(
      /Invalid bank code/,
    );
  });
});

describe("Paystack transfers", () => {
  it("a withdrawal's reference follows Paystack's rules and reads back to the withdrawal", () => {
    const id = crypto.randomUUID();
    const reference = paystackTransferReference(id);
    expect(reference).toMatch(/^[a-z0-9_-]{16,50}$/);
    expect(withdrawalIdFromReference(reference)).toBe(id);
    expect(withdrawalIdFromReference("TRF_other")).toBeNull();
  });

  it("sends one transfer per withdrawal, pending until its webhook; a retry finds it instead of paying twice", async () => {
    const code = await recipient();
    const withdrawalId = crypto.randomUUID();
    const request = { withdrawalId, amount: 50_000, currency: "NGN" as const, destination: { recipientCode: code } };
    const first = await payouts.send(request);
    const retried = await payouts.send(request);

    expect(first).toEqual({ status: "pending", providerRef: expect.stringMatching(/^TRF_/) });
    expect(retried).toEqual(first);
    const reference = paystackTransferReference(withdrawalId);
    expect(fake.requestsTo("POST", "/transfer").filter((r) => r.rawBody.includes(reference))).toHaveLength(1);
    expect(fake.requestsTo("POST", "/transfer").at(-1)?.body).toEqual({
      source: "balance",
      amount: 50_000,
      currency: "NGN",
      recipient: code,
      reference,
      reason: "Lectern withdrawal",
    });

    // transfer.success, verified on the Paystack endpoint, pays the withdrawal.
    const body = fake.settleTransfer(reference, "success");
    const raw = JSON.stringify(body);
    const verified = await createPaystackProvider(env).verifyWebhook({
      rawBody: raw,
      headers: new Headers({ "x-paystack-signature": fake.signature(raw) }),
      url: new URL("http://localhost/webhooks/paystack"),
    });
    expect(verified.type).toBe("transfer.success");
    expect(interpretPayoutEvent("paystack", verified)).toEqual({ withdrawalId, status: "paid", reason: null });
    // Settled since: a retry reads the outcome.
    expect(await payouts.send(request)).toEqual({ ...first, status: "paid" });
  });

  it("transfer.failed and transfer.reversed fail the withdrawal with a reason", async () => {
    const code = await recipient();
    const failedId = crypto.randomUUID();
    await payouts.send({ withdrawalId: failedId, amount: 100, currency: "NGN", destination: { recipientCode: code } });
    const failed = fake.settleTransfer(paystackTransferReference(failedId), "failed", "Account is dormant");
    expect(interpretPayoutEvent("paystack", { type: failed.event, payload: failed })).toEqual({
      withdrawalId: failedId,
      status: "failed",
      reason: "Account is dormant",
    });

    const reversedId = crypto.randomUUID();
    await payouts.send({
      withdrawalId: reversedId,
      amount: 100,
      currency: "NGN",
      destination: { recipientCode: code },
    });
    const reversed = fake.settleTransfer(paystackTransferReference(reversedId), "reversed");
    expect(interpretPayoutEvent("paystack", { type: reversed.event, payload: reversed })).toMatchObject({
      withdrawalId: reversedId,
      status: "failed",
    });
    expect(PAYOUT_EVENT_TYPES.paystack).toEqual(["transfer.success", "transfer.failed", "transfer.reversed"]);
  });

  it("fails clearly when Paystack refuses: no recipient, insufficient balance", async () => {
    const none = await payouts.send({ withdrawalId: crypto.randomUUID(), amount: 1, currency: "NGN", destination: {} });
    expect(none).toMatchObject({ status: "failed" });
    const broke = await payouts.send({
      withdrawalId: crypto.randomUUID(),
      amount: 5_000_000,
      currency: "NGN",
      destination: { recipientCode: await recipient() },
    });
    expect(broke).toMatchObject({ status: "failed", reason: expect.stringContaining("balance is not enough") });
  });

  it("an outage is thrown for a retry with the same reference", async () => {
    fake.failNext("POST", "/transfer", { status: 500, json: { status: false, message: "down" } });
    const error = await payouts
      .send({
        withdrawalId: crypto.randomUUID(),
        amount: 100,
        currency: "NGN",
        destination: { recipientCode: await recipient() },
      })
      .catch((e: unknown) => e);
    expect((error as ProviderError).retryable).toBe(true);
  });

  it("an integration that still asks for an OTP fails the payout with a reason saying so", async () => {
    const otpFake = await startPaystackFake({ otp: true });
    try {
      const p = createPaystackPayouts(parseEnv({ NODE_ENV: "test", ...otpFake.env() }));
      const { recipientCode } = await p.createRecipient({ name: "A", accountNumber: "0001234567", bankCode: "058" });
      const result = await p.send({
        withdrawalId: crypto.randomUUID(),
        amount: 100,
        currency: "NGN",
        destination: { recipientCode },
      });
      expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("OTP") });
    } finally {
      await otpFake.close();
    }
  });
});
