import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, eq } from "drizzle-orm";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../router.ts";
import { startPaystackFake, startStripeFake } from "../../testing/fakes/index.ts";
import { type Agent, latestEmail, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adjustWallet } from "../ledger/recipes.ts";
import { balanceDrift, post, unbalancedTransactions } from "../ledger/service.ts";
import { applyEvent, providerEventHandlers, recordEvent } from "../payments/inbox.ts";
import { paystackTransferReference } from "../payments/providers/payouts-paystack.ts";
import { person } from "../tutoring/testing.ts";
import { payoutProviders, runPayout } from "./payouts.ts";

/** Withdrawals paid through Stripe Connect and Paystack, against their loopback fakes. */

const stripe = await startStripeFake();
const paystack = await startPaystackFake({ accounts: { "0001234567@058": "ADA OBI" } });
afterAll(() => Promise.all([stripe.close(), paystack.close()]));
const t = await useTestApp({ ...stripe.env(), ...paystack.env() });
const providers = payoutProviders(t.env);

const keyed = (agent: Agent) =>
  createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { "idempotency-key": `key-${crypto.randomUUID()}` },
        fetch: (input, init) => agent.fetch(String(input), init as RequestInit),
      }),
    ],
  });

async function fund(userId: string, amount: number, currency: string) {
  await t.db.transaction((tx) =>
    post(tx, adjustWallet({ ownerId: userId, currency, amount }, { description: "test" })),
  );
}

const ageMethod = (id: string) =>
  t.db
    .update(schema.payoutMethods)
    .set({ createdAt: new Date(Date.now() - 3 * 86_400_000) })
    .where(eq(schema.payoutMethods.id, id));

async function withdraw(agent: Agent, email: string, currency: "USD" | "NGN", amount: number, methodId: string) {
  const w = await keyed(agent).withdrawals.request.mutate({ currency, amount, methodId });
  const code = (await latestEmail(t.db, email, "withdrawal-code")).textBody.match(/\b(\d{6})\b/)?.[1] ?? "";
  return keyed(agent).withdrawals.confirm.mutate({ withdrawalId: w.id, code });
}

const row = async (id: string) => {
  const [w] = await t.db.select().from(schema.withdrawals).where(eq(schema.withdrawals.id, id));
  return w;
};

async function wallet(userId: string, currency: string) {
  const rows = await t.db
    .select({ kind: schema.ledgerAccounts.kind, balance: schema.ledgerAccounts.balance })
    .from(schema.ledgerAccounts)
    .where(and(eq(schema.ledgerAccounts.ownerId, userId), eq(schema.ledgerAccounts.currency, currency)));
  return {
    available: rows.find((r) => r.kind === "wallet")?.balance ?? 0,
    held: rows.find((r) => r.kind === "wallet_held")?.balance ?? 0,
  };
}

/** A provider's webhook event as the webhook route records it, applied by the registered handlers. */
async function deliver(provider: "stripe" | "paystack", event: { id: string; type: string; payload: unknown }) {
  await recordEvent(t.db, provider, event);
  return applyEvent(t.db, provider, event.id, providerEventHandlers[provider] ?? {});
}

describe("Stripe Connect", () => {
  it("onboards a creator, waits until the account can be paid, transfers, and a reversal gives the money back", async () => {
    const c = await person(t, "teacher");
    await fund(c.user.id, 500_00, "USD");
    const method = await c.agent.trpc.withdrawals.methods.add.mutate({ kind: "stripe_connect", currency: "USD" });
    expect(method).toMatchObject({ status: "pending", kind: "stripe_connect" });
    expect(method.onboardingUrl).toMatch(/\/onboarding\/acct_/);
    const [stored] = await t.db.select().from(schema.payoutMethods).where(eq(schema.payoutMethods.id, method.id));
    if (!stored) throw new Error("no payout method");
    const accountId = (stored.details as { accountId: string }).accountId;
    expect(accountId).toMatch(/^acct_/);

    expect(
      await trpcError(
        keyed(c.agent).withdrawals.request.mutate({ currency: "USD", amount: 50_00, methodId: method.id }),
      ),
    ).toMatchObject({ status: 409, appCode: "PAYOUT_METHOD_NOT_READY" });
    expect((await c.agent.trpc.withdrawals.methods.refresh.mutate({ methodId: method.id }))?.status).toBe("pending");
    stripe.setAccountReady(accountId, true);
    expect((await c.agent.trpc.withdrawals.methods.refresh.mutate({ methodId: method.id }))?.status).toBe("ready");
    await ageMethod(method.id);

    const w = await withdraw(c.agent, c.email, "USD", 120_00, method.id);
    expect(w.status).toBe("approved");
    expect(await runPayout(t.db, providers, w.id)).toEqual({ status: "paid" });
    const paid = await row(w.id);
    expect(paid?.status).toBe("paid");
    const transfer = stripe.transfers.get(paid?.providerRef ?? "");
    expect(transfer).toMatchObject({ amount: 120_00, currency: "usd", destination: accountId });
    expect(await wallet(c.user.id, "USD")).toEqual({ available: 380_00, held: 0 });

    // Stripe takes the transfer back: the withdrawal failed after all and the money is in the wallet again.
    const reversal = stripe.reverseTransfer(paid?.providerRef ?? "");
    expect(await deliver("stripe", { id: reversal.id, type: reversal.type, payload: reversal })).toEqual({
      status: "processed",
    });
    expect(await row(w.id)).toMatchObject({ status: "failed", failureReason: "The transfer was reversed" });
    expect(await wallet(c.user.id, "USD")).toEqual({ available: 500_00, held: 0 });
    // Delivered again, it counts once.
    expect(await deliver("stripe", { id: reversal.id, type: reversal.type, payload: reversal })).toEqual({
      status: "already_processed",
    });
    expect(await wallet(c.user.id, "USD")).toEqual({ available: 500_00, held: 0 });
    expect(await unbalancedTransactions(t.db)).toEqual([]);
    expect(await balanceDrift(t.db)).toEqual([]);
  });
});

describe("Paystack", () => {
  it("resolves the account into a recipient; the transfer is pending until its webhook settles it", async () => {
    const c = await person(t, "teacher");
    await fund(c.user.id, 5_000_000_00, "NGN");
    expect((await c.agent.trpc.withdrawals.methods.banks.query()).map((b) => b.code)).toContain("058");
    expect(
      await trpcError(
        c.agent.trpc.withdrawals.methods.add.mutate({
          kind: "paystack",
          currency: "NGN",
          bankCode: "058",
          accountNumber: "0009999999",
        }),
      ),
    ).toMatchObject({ status: 400, appCode: "PAYOUT_ACCOUNT_INVALID" });
    const method = await c.agent.trpc.withdrawals.methods.add.mutate({
      kind: "paystack",
      currency: "NGN",
      bankCode: "058",
      accountNumber: "0001234567",
    });
    expect(method).toMatchObject({ status: "ready", label: "ADA OBI ····4567" });
    await ageMethod(method.id);

    const ok = await withdraw(c.agent, c.email, "NGN", 20_000_00, method.id);
    const bad = await withdraw(c.agent, c.email, "NGN", 30_000_00, method.id);
    for (const w of [ok, bad]) expect(await runPayout(t.db, providers, w.id)).toEqual({ status: "pending" });
    expect(await row(ok.id)).toMatchObject({ status: "processing" });
    expect(paystack.transfers.get(paystackTransferReference(ok.id))).toMatchObject({ amount: 20_000_00 });
    // A re-run of the job sends nothing again.
    expect(await runPayout(t.db, providers, ok.id)).toEqual({ status: "skipped" });
    expect(paystack.transfers.size).toBe(2);

    const success = paystack.settleTransfer(paystackTransferReference(ok.id), "success");
    await deliver("paystack", { id: `transfer-${ok.id}-success`, type: success.event, payload: success });
    const failed = paystack.settleTransfer(paystackTransferReference(bad.id), "failed", "Account dormant");
    await deliver("paystack", { id: `transfer-${bad.id}-failed`, type: failed.event, payload: failed });
    expect(await row(ok.id)).toMatchObject({ status: "paid" });
    expect(await row(bad.id)).toMatchObject({ status: "failed", failureReason: "Account dormant" });
    expect(await wallet(c.user.id, "NGN")).toEqual({ available: 4_980_000_00, held: 0 });
    expect(await unbalancedTransactions(t.db)).toEqual([]);
    expect(await balanceDrift(t.db)).toEqual([]);
  });
});
