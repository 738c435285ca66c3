import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import type { AppRouter } from "../../router.ts";
import { type Agent, latestEmail, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adjustWallet } from "../ledger/recipes.ts";
import { balanceDrift, post, unbalancedTransactions } from "../ledger/service.ts";
import { REDACTED_CODE, renderEmail } from "../notifications/templates.ts";
import type { PayoutProvider } from "../payments/providers/types.ts";
import { type Person, person } from "../tutoring/testing.ts";
import { type FraudFacts, scoreWithdrawal } from "./fraud.ts";
import { payoutProviders, requeueStalePayouts, runPayout } from "./payouts.ts";
import { PAYOUT_TASK } from "./withdrawals.ts";

const t = await useTestApp();

/** The agent's browser sending this Idempotency-Key, as the apps' link does per user action. */
function withKey(agent: Agent, key = `key-${crypto.randomUUID()}`) {
  let replayed = false;
  const trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { "idempotency-key": key },
        fetch: async (input, init) => {
          const response = await agent.fetch(String(input), init as RequestInit);
          replayed = response.headers.get("idempotent-replayed") === "true";
          return response;
        },
      }),
    ],
  });
  return { trpc, wasReplayed: () => replayed };
}

/** Money into a creator's wallet the way an admin adjustment does (the world of the test). */
async function fund(userId: string, amount: number, currency = "USD") {
  await t.db.transaction((tx) =>
    post(tx, adjustWallet({ ownerId: userId, currency, amount }, { description: "test funds" })),
  );
}

async function balances(userId: string, currency = "USD") {
  const rows = await t.db
    .select({ kind: schema.ledgerAccounts.kind, balance: schema.ledgerAccounts.balance })
    .from(schema.ledgerAccounts)
    .where(and(eq(schema.ledgerAccounts.ownerId, userId), eq(schema.ledgerAccounts.currency, currency)));
  const of = (kind: string) => rows.find((r) => r.kind === kind)?.balance ?? 0;
  return { available: of("wallet"), held: of("wallet_held") };
}

/** A teacher with a wallet and a local payout method added long enough ago not to look new. */
async function creator(amount = 1_000_00, options: { freshMethod?: boolean; locale?: "en" | "ar" } = {}) {
  const p = await person(t, "teacher", { locale: options.locale });
  if (amount > 0) await fund(p.user.id, amount);
  const method = await p.agent.trpc.withdrawals.methods.add.mutate({ kind: "local", currency: "USD" });
  if (!method) throw new Error("no method");
  if (!options.freshMethod)
    await t.db
      .update(schema.payoutMethods)
      .set({ createdAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(schema.payoutMethods.id, method.id));
  return { ...p, methodId: method.id };
}
type Creator = Awaited<ReturnType<typeof creator>>;

async function emailedCode(email: string) {
  const mail = await latestEmail(t.db, email, "withdrawal-code");
  const code = mail.textBody.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error("no code in the email");
  return code;
}

async function requestAndCode(c: Creator, amount: number) {
  const w = await withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount, methodId: c.methodId });
  return { id: w.id, code: await emailedCode(c.email) };
}

async function withdraw(c: Creator, amount: number) {
  const { id, code } = await requestAndCode(c, amount);
  return withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code });
}

const row = async (id: string) => {
  const [w] = await t.db.select().from(schema.withdrawals).where(eq(schema.withdrawals.id, id));
  if (!w) throw new Error("no withdrawal");
  return w;
};

const payoutJobs = async (id: string) => {
  const { rows } = await t.db.execute<{ n: number }>(sql`
    select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
    where k.identifier = ${PAYOUT_TASK} and j.key = ${`withdrawal-payout:${id}`}`);
  return rows[0]?.n ?? 0;
};

const auditRows = (action: string, targetId: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), eq(schema.auditLog.targetId, targetId)));

async function ledgerHolds() {
  expect(await unbalancedTransactions(t.db)).toEqual([]);
  expect(await balanceDrift(t.db)).toEqual([]);
}

const local = payoutProviders(t.env);

describe("withdrawal with an emailed code", () => {
  it("requests, confirms with the code from the email, holds the amount and pays it out by the job", async () => {
    const c = await creator(1_000_00);
    const requested = await withKey(c.agent).trpc.withdrawals.request.mutate({
      currency: "USD",
      amount: 250_00,
      methodId: c.methodId,
    });
    expect(requested).toMatchObject({ status: "awaiting_code", amount: 250_00, methodKind: "local" });
    // Nothing moves before the code; the code is stored hashed, never as given.
    expect(await balances(c.user.id)).toEqual({ available: 1_000_00, held: 0 });
    const code = await emailedCode(c.email);
    const stored = await row(requested.id);
    expect(stored.codeHash).not.toContain(code);
    expect(stored.codeHash).toMatch(/^[0-9a-f]{64}$/);

    const confirmed = await withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: requested.id, code });
    expect(confirmed.status).toBe("approved");
    expect(await balances(c.user.id)).toEqual({ available: 750_00, held: 250_00 });
    expect(await row(requested.id)).toMatchObject({ codeHash: null, codeSalt: null, fraudScore: 0 });
    expect(await payoutJobs(requested.id)).toBe(1);

    // The worker's task, as the worker runs it.
    const task = createTaskList({ db: t.db, env: t.env, email: undefined as never, logger: t.logger })[PAYOUT_TASK];
    await task?.({ withdrawalId: requested.id }, {} as never);
    expect(await row(requested.id)).toMatchObject({ status: "paid", providerRef: `local_po_${requested.id}` });
    expect(await balances(c.user.id)).toEqual({ available: 750_00, held: 0 });
    // A re-run of the job (a retry) pays nothing twice.
    expect(await runPayout(t.db, local, requested.id)).toEqual({ status: "skipped" });
    expect(await balances(c.user.id)).toEqual({ available: 750_00, held: 0 });
    expect((await latestEmail(t.db, c.email, "withdrawal-paid")).subject).toContain("$250.00");
    await ledgerHolds();

    const list = await c.agent.trpc.withdrawals.list.query({});
    expect(list.items.map((w) => w.status)).toEqual(["paid"]);
  });

  it("keeps the code out of the stored copy when email really goes out by SMTP", async () => {
    const email = { template: "withdrawal-code", name: "A", amount: "$20.00", code: "482913", minutes: 10 } as const;
    for (const locale of ["en", "ar"] as const) {
      expect(renderEmail(locale, email).text).toContain("482913");
      const stored = renderEmail(locale, email, { redact: true });
      expect(`${stored.text}${stored.html}`).not.toContain("482913");
      expect(stored.text).toContain(REDACTED_CODE[locale]);
    }
  });

  it("sends the code email in Arabic to an Arabic-speaking creator", async () => {
    const c = await creator(100_00, { locale: "ar" });
    await requestAndCode(c, 20_00);
    const mail = await latestEmail(t.db, c.email, "withdrawal-code");
    expect(mail.subject).toBe("رمز السحب في ليكترن");
  });

  it("counts wrong codes: the third cancels the withdrawal, and the right code no longer works", async () => {
    const c = await creator(100_00);
    const { id, code } = await requestAndCode(c, 20_00);
    const wrong = code === "000000" ? "111111" : "000000";
    const confirm = (value: string) =>
      trpcError(withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code: value }));
    expect(await confirm(wrong)).toMatchObject({ status: 400, appCode: "WITHDRAWAL_CODE_INVALID" });
    expect((await row(id)).codeAttempts).toBe(1);
    expect(await confirm(wrong)).toMatchObject({ status: 400, appCode: "WITHDRAWAL_CODE_INVALID" });
    expect(await confirm(wrong)).toMatchObject({ status: 409, appCode: "WITHDRAWAL_CODE_ATTEMPTS" });
    expect(await row(id)).toMatchObject({ status: "cancelled", codeAttempts: 3, codeHash: null });
    expect(await confirm(code)).toMatchObject({ status: 409, appCode: "WITHDRAWAL_NOT_AWAITING_CODE" });
    expect(await balances(c.user.id)).toEqual({ available: 100_00, held: 0 });
  });

  it("refuses an expired code (10 minutes)", async () => {
    const c = await creator(100_00);
    const { id, code } = await requestAndCode(c, 20_00);
    expect((await row(id)).codeExpiresAt.getTime() - (await row(id)).createdAt.getTime()).toBe(10 * 60_000);
    await t.db
      .update(schema.withdrawals)
      .set({ codeExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.withdrawals.id, id));
    expect(await trpcError(withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code }))).toMatchObject(
      { status: 409, appCode: "WITHDRAWAL_CODE_EXPIRED" },
    );
    expect(await balances(c.user.id)).toEqual({ available: 100_00, held: 0 });
  });

  it("five concurrent confirmations execute one withdrawal", async () => {
    const c = await creator(100_00);
    const { id, code } = await requestAndCode(c, 60_00);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await balances(c.user.id)).toEqual({ available: 40_00, held: 60_00 });
    const holds = await t.db
      .select()
      .from(schema.ledgerTransactions)
      .where(and(eq(schema.ledgerTransactions.kind, "withdrawal.hold"), eq(schema.ledgerTransactions.referenceId, id)));
    expect(holds).toHaveLength(1);
    await ledgerHolds();
  });

  it("never takes the wallet below zero: two withdrawals requested against one balance, the second confirm is refused", async () => {
    const c = await creator(100_00);
    const first = await requestAndCode(c, 80_00);
    const second = await requestAndCode(c, 80_00);
    await withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: first.id, code: first.code });
    expect(
      await trpcError(withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: second.id, code: second.code })),
    ).toMatchObject({ status: 409, appCode: "INSUFFICIENT_FUNDS" });
    expect(await row(second.id)).toMatchObject({ status: "awaiting_code" });
    expect(await balances(c.user.id)).toEqual({ available: 20_00, held: 80_00 });
    await ledgerHolds();
  });

  it("refuses more than the available balance at the request", async () => {
    const c = await creator(50_00);
    expect(
      await trpcError(
        withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 50_01, methodId: c.methodId }),
      ),
    ).toMatchObject({ status: 409, appCode: "INSUFFICIENT_FUNDS" });
  });

  it("cancels: before the code nothing moves; in review the hold is released", async () => {
    const c = await creator(100_00, { freshMethod: true });
    const pending = await requestAndCode(c, 10_00);
    expect((await c.agent.trpc.withdrawals.cancel.mutate({ withdrawalId: pending.id })).status).toBe("cancelled");
    const flagged = await withdraw(c, 20_00);
    expect(flagged.status).toBe("in_review");
    expect(await balances(c.user.id)).toEqual({ available: 80_00, held: 20_00 });
    expect((await c.agent.trpc.withdrawals.cancel.mutate({ withdrawalId: flagged.id })).status).toBe("cancelled");
    expect(await balances(c.user.id)).toEqual({ available: 100_00, held: 0 });
    expect(await trpcError(c.agent.trpc.withdrawals.cancel.mutate({ withdrawalId: flagged.id }))).toMatchObject({
      status: 409,
      appCode: "WITHDRAWAL_NOT_CANCELLABLE",
    });
    await ledgerHolds();
  });
});

describe("limits", () => {
  it("refuses below the minimum and above the per-withdrawal limit", async () => {
    const c = await creator(10_000_00);
    const request = (amount: number) =>
      trpcError(withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount, methodId: c.methodId }));
    expect(await request(9_99)).toMatchObject({ status: 409, appCode: "WITHDRAWAL_BELOW_MINIMUM" });
    expect(await request(2_500_01)).toMatchObject({ status: 409, appCode: "WITHDRAWAL_ABOVE_LIMIT" });
  });

  it("adds up a day's withdrawals against the daily limit", async () => {
    const c = await creator(10_000_00);
    await withdraw(c, 2_400_00);
    await withdraw(c, 2_400_00);
    expect(await c.agent.trpc.withdrawals.limits.query({ currency: "USD" })).toMatchObject({
      perDay: 5_000_00,
      usedToday: 4_800_00,
      leftToday: 200_00,
    });
    expect(
      await trpcError(
        withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 200_01, methodId: c.methodId }),
      ),
    ).toMatchObject({ status: 409, appCode: "WITHDRAWAL_DAILY_LIMIT" });
  });

  it("checks the daily limit again when confirming: two requests that each fit, together do not", async () => {
    const c = await creator(10_000_00);
    const a = await requestAndCode(c, 2_400_00);
    const b = await requestAndCode(c, 2_400_00);
    const d = await requestAndCode(c, 2_400_00);
    const results = await Promise.allSettled(
      [a, b, d].map((w) => withKey(c.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: w.id, code: w.code })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    expect(await balances(c.user.id)).toEqual({ available: 5_200_00, held: 4_800_00 });
  });

  it("lets an admin change a currency's limits (audited); a creator cannot", async () => {
    const admin = await person(t, "admin");
    const teacher = await person(t, "teacher");
    const input = { currency: "EGP" as const, minAmount: 50_00, perWithdrawal: 50_000_00, perDay: 150_000_00 };
    expect(await trpcError(teacher.agent.trpc.admin.withdrawals.updateLimits.mutate(input))).toMatchObject({
      status: 403,
    });
    expect(
      await trpcError(admin.agent.trpc.admin.withdrawals.updateLimits.mutate({ ...input, perDay: 1_00 })),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    await admin.agent.trpc.admin.withdrawals.updateLimits.mutate(input);
    const limits = await admin.agent.trpc.admin.withdrawals.limits.query();
    expect(limits.find((l) => l.currency === "EGP")).toMatchObject({ perWithdrawal: 50_000_00 });
    const [audit] = await auditRows("withdrawal.limits.update", "EGP");
    expect(audit).toMatchObject({
      actorId: admin.user.id,
      before: { minAmount: 100_00, perWithdrawal: 100_000_00, perDay: 200_000_00 },
      after: { minAmount: 50_00, perWithdrawal: 50_000_00, perDay: 150_000_00 },
    });
  });
});

describe("idempotency and rate limits", () => {
  it("a retried request with the same key replays its answer and sends one code; another body is refused", async () => {
    const c = await creator(100_00);
    const key = `key-${crypto.randomUUID()}`;
    const input = { currency: "USD" as const, amount: 10_00, methodId: c.methodId };
    const first = withKey(c.agent, key);
    const a = await first.trpc.withdrawals.request.mutate(input);
    const again = withKey(c.agent, key);
    const b = await again.trpc.withdrawals.request.mutate(input);
    expect(b.id).toBe(a.id);
    expect(again.wasReplayed()).toBe(true);
    const codes = await t.db
      .select()
      .from(schema.emailOutbox)
      .where(and(eq(schema.emailOutbox.toAddress, c.email), eq(schema.emailOutbox.template, "withdrawal-code")));
    expect(codes).toHaveLength(1);
    expect(
      await trpcError(withKey(c.agent, key).trpc.withdrawals.request.mutate({ ...input, amount: 11_00 })),
    ).toMatchObject({ status: 422, appCode: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("a retried confirm replays the confirmation and holds once", async () => {
    const c = await creator(100_00);
    const { id, code } = await requestAndCode(c, 30_00);
    const key = `key-${crypto.randomUUID()}`;
    const first = await withKey(c.agent, key).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code });
    const retry = withKey(c.agent, key);
    expect(await retry.trpc.withdrawals.confirm.mutate({ withdrawalId: id, code })).toEqual(first);
    expect(retry.wasReplayed()).toBe(true);
    expect(await balances(c.user.id)).toEqual({ available: 70_00, held: 30_00 });
  });

  it("limits withdrawal requests per user per hour (429)", async () => {
    const c = await creator(1_000_00);
    for (let i = 0; i < 10; i++)
      await withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 10_00, methodId: c.methodId });
    expect(
      await trpcError(
        withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 10_00, methodId: c.methodId }),
      ),
    ).toMatchObject({ status: 429, appCode: "RATE_LIMITED" });
  });
});

describe("fraud rules send risky withdrawals to review", () => {
  it("scores each rule (pure)", () => {
    const base: FraudFacts = {
      amount: 100_00,
      currency: "USD",
      perWithdrawalLimit: 2_500_00,
      recentCount: 0,
      historyCount: 0,
      median: null,
      methodCreatedAt: new Date("2026-01-01"),
      now: new Date("2026-02-01"),
    };
    expect(scoreWithdrawal(base)).toEqual({ score: 0, reasons: [], review: false });
    const rules = (f: Partial<FraudFacts>) => scoreWithdrawal({ ...base, ...f }).reasons.map((r) => r.rule);
    expect(rules({ recentCount: 3 })).toEqual(["velocity"]);
    expect(rules({ recentCount: 2 })).toEqual([]);
    expect(rules({ historyCount: 3, median: 30_00, amount: 90_01 })).toEqual(["above_usual"]);
    expect(rules({ historyCount: 2, median: 30_00, amount: 900_00 })).toEqual([]);
    expect(rules({ methodCreatedAt: new Date("2026-01-31T12:00:00Z") })).toEqual(["new_method"]);
    expect(rules({ amount: 2_300_00 })).toEqual(["round_near_limit"]);
    expect(rules({ amount: 2_299_99 })).toEqual([]);
    expect(rules({ amount: 2_200_00 })).toEqual([]);
  });

  it("velocity: the fourth withdrawal within 24 hours", async () => {
    const c = await creator(1_000_00);
    for (let i = 0; i < 3; i++) expect((await withdraw(c, 10_00)).status).toBe("approved");
    const fourth = await withdraw(c, 10_00);
    expect(fourth.status).toBe("in_review");
    expect((await row(fourth.id)).fraudReasons.map((r) => r.rule)).toEqual(["velocity"]);
  });

  it("amount far above the creator's usual", async () => {
    const c = await creator(1_000_00);
    for (let i = 0; i < 3; i++) await withdraw(c, 10_00);
    // Old history: out of the velocity window.
    await t.db
      .update(schema.withdrawals)
      .set({ confirmedAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(schema.withdrawals.userId, c.user.id));
    const big = await withdraw(c, 40_00);
    expect(big.status).toBe("in_review");
    expect((await row(big.id)).fraudReasons.map((r) => r.rule)).toEqual(["above_usual"]);
  });

  it("a payout method added in the last 24 hours", async () => {
    const c = await creator(100_00, { freshMethod: true });
    const w = await withdraw(c, 10_00);
    expect(w.status).toBe("in_review");
    expect(await payoutJobs(w.id)).toBe(0);
    expect((await row(w.id)).fraudReasons.map((r) => r.rule)).toEqual(["new_method"]);
  });

  it("a round amount just under the per-withdrawal limit", async () => {
    const c = await creator(3_000_00);
    const w = await withdraw(c, 2_400_00);
    expect(w.status).toBe("in_review");
    expect((await row(w.id)).fraudReasons.map((r) => r.rule)).toEqual(["round_near_limit"]);
  });
});

describe("review queue and payouts (console)", () => {
  it("an admin approves a flagged withdrawal (audited); the payout job pays it", async () => {
    const admin = await person(t, "admin");
    const c = await creator(100_00, { freshMethod: true });
    const w = await withdraw(c, 25_00);
    const queue = await admin.agent.trpc.admin.withdrawals.queue.query({});
    expect(queue.items.find((i) => i.id === w.id)).toMatchObject({
      userEmail: c.email,
      fraudReasons: [expect.objectContaining({ rule: "new_method" })],
    });
    const approved = await withKey(admin.agent).trpc.admin.withdrawals.approve.mutate({ id: w.id });
    expect(approved.status).toBe("approved");
    expect(await payoutJobs(w.id)).toBe(1);
    expect(await auditRows("withdrawal.approve", w.id)).toHaveLength(1);
    expect(await trpcError(withKey(admin.agent).trpc.admin.withdrawals.approve.mutate({ id: w.id }))).toMatchObject({
      status: 409,
      appCode: "WITHDRAWAL_NOT_IN_REVIEW",
    });
    await runPayout(t.db, local, w.id);
    expect(await balances(c.user.id)).toEqual({ available: 75_00, held: 0 });
  });

  it("an admin rejects with a reason: the amount and the day's allowance come back, the creator is told", async () => {
    const admin = await person(t, "admin");
    const c = await creator(100_00, { freshMethod: true });
    const w = await withdraw(c, 25_00);
    expect(
      await trpcError(withKey(admin.agent).trpc.admin.withdrawals.reject.mutate({ id: w.id, reason: " " })),
    ).toMatchObject({ status: 400 });
    const rejected = await withKey(admin.agent).trpc.admin.withdrawals.reject.mutate({
      id: w.id,
      reason: "Unusual activity",
    });
    expect(rejected).toMatchObject({ status: "rejected", failureReason: "Unusual activity" });
    expect(await balances(c.user.id)).toEqual({ available: 100_00, held: 0 });
    expect((await c.agent.trpc.withdrawals.limits.query({ currency: "USD" })).usedToday).toBe(0);
    expect((await latestEmail(t.db, c.email, "withdrawal-failed")).textBody).toContain("Unusual activity");
    expect(await auditRows("withdrawal.reject", w.id)).toHaveLength(1);
    await ledgerHolds();
  });

  it("a manual bank transfer waits for the admin, who marks it paid or failed (audited)", async () => {
    const admin = await person(t, "admin");
    const c = await creator(200_00);
    const bank = await c.agent.trpc.withdrawals.methods.add.mutate({
      kind: "manual",
      currency: "USD",
      accountName: "A Teacher",
      bankName: "Bank of Tests",
      accountNumber: "GB33 BUKB 2020 1555 5555 55",
    });
    if (!bank) throw new Error("no method");
    await t.db
      .update(schema.payoutMethods)
      .set({ createdAt: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(schema.payoutMethods.id, bank.id));
    expect(bank.label).toBe("Bank of Tests ····5555");
    const manual = { ...c, methodId: bank.id };
    const paid = await withdraw(manual, 50_00);
    const failed = await withdraw(manual, 30_00);
    // Before the job, it is not waiting for a transfer yet.
    expect(
      await trpcError(withKey(admin.agent).trpc.admin.withdrawals.markPaid.mutate({ id: paid.id, reference: "TRX-1" })),
    ).toMatchObject({ status: 409, appCode: "WITHDRAWAL_NOT_AWAITING_PAYOUT" });
    for (const id of [paid.id, failed.id]) expect(await runPayout(t.db, local, id)).toEqual({ status: "pending" });
    expect(await row(paid.id)).toMatchObject({ status: "processing" });
    const detail = await admin.agent.trpc.admin.withdrawals.get.query({ id: paid.id });
    expect(detail.methodDetails).toMatchObject({ accountNumber: "GB33BUKB20201555555555" });

    await withKey(admin.agent).trpc.admin.withdrawals.markPaid.mutate({ id: paid.id, reference: "TRX-1" });
    await withKey(admin.agent).trpc.admin.withdrawals.markFailed.mutate({ id: failed.id, reason: "Account closed" });
    expect(await row(paid.id)).toMatchObject({ status: "paid", providerRef: "TRX-1" });
    expect(await row(failed.id)).toMatchObject({ status: "failed", failureReason: "Account closed" });
    expect(await balances(c.user.id)).toEqual({ available: 150_00, held: 0 });
    expect(await auditRows("withdrawal.mark_paid", paid.id)).toHaveLength(1);
    expect(await auditRows("withdrawal.mark_failed", failed.id)).toHaveLength(1);
    const payouts = await admin.agent.trpc.admin.withdrawals.list.query({ kind: "manual", query: c.email });
    expect(payouts.items.map((i) => i.status).sort()).toEqual(["failed", "paid"]);
    await ledgerHolds();
  });

  it("the hourly sweep queues again an approved withdrawal whose payout job gave up", async () => {
    const c = await creator(100_00);
    const w = await withdraw(c, 10_00);
    await t.db.execute(sql`delete from graphile_worker._private_jobs where key = ${`withdrawal-payout:${w.id}`}`);
    expect(await payoutJobs(w.id)).toBe(0);
    // Just approved: not stale yet.
    await requeueStalePayouts(t.db);
    expect(await payoutJobs(w.id)).toBe(0);
    await requeueStalePayouts(t.db, new Date(Date.now() + 31 * 60_000));
    expect(await payoutJobs(w.id)).toBe(1);
  });

  it("a payout the provider refuses releases the funds and tells the creator", async () => {
    const c = await creator(100_00);
    const w = await withdraw(c, 40_00);
    const refusing: PayoutProvider = {
      kind: "local",
      currencies: ["USD"],
      send: async () => ({ status: "failed", reason: "Account closed" }),
    };
    expect(await runPayout(t.db, () => refusing, w.id)).toEqual({ status: "failed" });
    expect(await row(w.id)).toMatchObject({ status: "failed", failureReason: "Account closed" });
    expect(await balances(c.user.id)).toEqual({ available: 100_00, held: 0 });
    expect((await latestEmail(t.db, c.email, "withdrawal-failed")).textBody).toContain("Account closed");
    // A network error leaves it approved for the job's retry.
    const w2 = await withdraw(c, 10_00);
    const down: PayoutProvider = { ...refusing, send: async () => Promise.reject(new Error("ECONNRESET")) };
    await expect(runPayout(t.db, () => down, w2.id)).rejects.toThrow("ECONNRESET");
    expect(await row(w2.id)).toMatchObject({ status: "approved" });
    await ledgerHolds();
  });
});

describe("authorization", () => {
  it("refuses withdrawals while an admin impersonates the creator", async () => {
    const admin = await person(t, "admin");
    const c = await creator(100_00);
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: c.user.id });
    expect(
      await trpcError(
        withKey(admin.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 10_00, methodId: c.methodId }),
      ),
    ).toMatchObject({ status: 403, appCode: "NOT_WHILE_IMPERSONATING" });
    expect(
      await trpcError(admin.agent.trpc.withdrawals.methods.add.mutate({ kind: "local", currency: "EUR" })),
    ).toMatchObject({ status: 403, appCode: "NOT_WHILE_IMPERSONATING" });
  });

  it("keeps creators to their own withdrawals and methods, and the console to admins", async () => {
    const a = await creator(100_00);
    const b: Person = await person(t, "teacher");
    await fund(b.user.id, 100_00);
    const { id, code } = await requestAndCode(a, 10_00);
    expect(await trpcError(withKey(b.agent).trpc.withdrawals.confirm.mutate({ withdrawalId: id, code }))).toMatchObject(
      { status: 404, appCode: "WITHDRAWAL_NOT_FOUND" },
    );
    expect(
      await trpcError(
        withKey(b.agent).trpc.withdrawals.request.mutate({ currency: "USD", amount: 10_00, methodId: a.methodId }),
      ),
    ).toMatchObject({ status: 404, appCode: "PAYOUT_METHOD_NOT_FOUND" });
    expect(await trpcError(b.agent.trpc.withdrawals.get.query({ withdrawalId: id }))).toMatchObject({ status: 404 });
    expect(await trpcError(b.agent.trpc.withdrawals.methods.remove.mutate({ methodId: a.methodId }))).toMatchObject({
      status: 404,
    });
    expect(await b.agent.trpc.withdrawals.list.query({})).toMatchObject({ items: [] });
    const anonymous = t.agent();
    const learner = await person(t, "learner");
    for (const agent of [b.agent, learner.agent, anonymous])
      for (const call of [
        () => agent.trpc.admin.withdrawals.queue.query({}),
        () => agent.trpc.admin.withdrawals.list.query({}),
        () => agent.trpc.admin.withdrawals.get.query({ id }),
        () => agent.trpc.admin.withdrawals.approve.mutate({ id }),
        () => agent.trpc.admin.withdrawals.reject.mutate({ id, reason: "x" }),
        () => agent.trpc.admin.withdrawals.markPaid.mutate({ id, reference: "x" }),
        () => agent.trpc.admin.withdrawals.markFailed.mutate({ id, reason: "x" }),
        () => agent.trpc.admin.withdrawals.limits.query(),
        () =>
          agent.trpc.admin.withdrawals.updateLimits.mutate({
            currency: "EGP",
            minAmount: 50_00,
            perWithdrawal: 50_000_00,
            perDay: 150_000_00,
          }),
      ])
        expect(await trpcError(call())).toMatchObject(
          agent === anonymous ? { status: 401 } : { status: 403, appCode: "ADMIN_ONLY" },
        );
    expect(await trpcError(anonymous.trpc.withdrawals.list.query({}))).toMatchObject({ status: 401 });
    // Nothing moved: the withdrawal still waits for its code.
    expect(await row(id)).toMatchObject({ status: "awaiting_code" });
  });
  it("refuses a method of another currency and one still in use", async () => {
    const c = await creator(100_00);
    expect(
      await trpcError(
        withKey(c.agent).trpc.withdrawals.request.mutate({ currency: "EUR", amount: 10_00, methodId: c.methodId }),
      ),
    ).toMatchObject({ status: 409, appCode: "PAYOUT_METHOD_UNAVAILABLE" });
    await requestAndCode(c, 10_00);
    expect(await trpcError(c.agent.trpc.withdrawals.methods.remove.mutate({ methodId: c.methodId }))).toMatchObject({
      status: 409,
      appCode: "PAYOUT_METHOD_IN_USE",
    });
    // Stripe Connect needs Stripe keys: not offered on the embedded default.
    expect(
      await trpcError(c.agent.trpc.withdrawals.methods.add.mutate({ kind: "stripe_connect", currency: "USD" })),
    ).toMatchObject({ status: 409, appCode: "PAYOUT_METHOD_UNAVAILABLE" });
  });
});
