import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { systemAccountId } from "../ledger/accounts.ts";
import { post, userAccount } from "../ledger/service.ts";
import { type Actor, autoCompleteSessions, bookSession, reportSession } from "./sessions.ts";
import {
  ALWAYS,
  creditBalance,
  grantCredits,
  ledgerInvariants,
  type Person,
  person,
  setTeacherRate,
  slotIn,
} from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
const GRACE = TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE;
/** A grid slot whose 60-minute session ended at least `hours` ago. */
const slotAgo = (hours: number) => new Date(Math.floor((Date.now() - (hours + 1) * HOUR) / STEP) * STEP);

const actorOf = (p: Person): Actor => ({ id: p.user.id, role: p.user.role });
const at = (ms: number) => ({ now: new Date(ms) });

const admin = await person(t, "admin", { name: "Rania Admin" });

async function world(name = "Tomas Teacher") {
  const teacher = await person(t, "teacher", { name });
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  await setTeacherRate(t, teacher.user.id, 3000, "EUR");
  const learner = await person(t, "learner", { name: "Leo Learner" });
  await grantCredits(t, learner.user.id, 4, new Date(Date.now() - 30 * 24 * HOUR));
  return { teacher, learner };
}

async function bookAt(w: { teacher: Person; learner: Person }, startsAt: Date) {
  return bookSession(
    t.db,
    actorOf(w.learner),
    { teacherId: w.teacher.user.id, startsAt, durationMinutes: 60 },
    at(startsAt.getTime() - 3 * HOUR),
  );
}

/** A session that took place and that the teacher reported at its end (pay posted). */
async function completedSession(w: { teacher: Person; learner: Person }, endedHoursAgo = 2) {
  const session = await bookAt(w, slotAgo(endedHoursAgo));
  await reportSession(
    t.db,
    actorOf(w.teacher),
    { sessionId: session.id, message: "Done", comments: "", nextSteps: "" },
    at(session.endsAt.getTime()),
  );
  return session;
}

async function earningsBalance(teacherId: string, currency = "EUR") {
  const [row] = await t.db
    .select({ balance: schema.ledgerAccounts.balance })
    .from(schema.ledgerAccounts)
    .where(
      and(
        eq(schema.ledgerAccounts.ownerId, teacherId),
        eq(schema.ledgerAccounts.kind, "wallet"),
        eq(schema.ledgerAccounts.currency, currency),
      ),
    );
  return row?.balance ?? 0;
}

const emailsTo = (address: string, template: string) =>
  t.db
    .select()
    .from(schema.emailOutbox)
    .where(and(eq(schema.emailOutbox.toAddress, address), eq(schema.emailOutbox.template, template)));

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

describe("reversing a completed session", () => {
  it("returns the learner's credit and takes back the pay with new transactions; payroll and earnings show it; audited and emailed", async () => {
    const from = new Date(Date.now() - MINUTE);
    const w = await world("Reversed Teacher");
    const kept = await completedSession(w, 5);
    const session = await completedSession(w);
    const credits = await creditBalance(t, w.learner.user.id);
    expect(await earningsBalance(w.teacher.user.id)).toBe(6000);
    const api = admin.agent.trpc.admin.sessions;

    expect(await api.get.query({ sessionId: session.id })).toMatchObject({ canReverse: true });
    expect(await trpcError(api.reverse.mutate({ sessionId: session.id, reason: " " }))).toMatchObject({
      status: 400,
      appCode: "VALIDATION_FAILED",
    });

    const reversed = await api.reverse.mutate({ sessionId: session.id, reason: "Recording shows no lesson" });

    expect(reversed).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
      canReverse: false,
      reversal: { reason: "Recording shows no lesson" },
    });
    // Same-transaction postings share a timestamp: compare as a set.
    expect(reversed.ledger.map((l) => l.kind).sort()).toEqual([
      "credit.consume",
      "credit.refund",
      "credit.reserve",
      "credit.reverse",
      "earnings.post",
      "earnings.reverse",
    ]);
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(3000);
    // The original postings are untouched: the reversal is new entries.
    const entries = await t.db
      .select({ amount: schema.ledgerEntries.amount, kind: schema.ledgerTransactions.kind })
      .from(schema.ledgerEntries)
      .innerJoin(schema.ledgerTransactions, eq(schema.ledgerTransactions.id, schema.ledgerEntries.transactionId))
      .innerJoin(schema.ledgerAccounts, eq(schema.ledgerAccounts.id, schema.ledgerEntries.accountId))
      .where(and(eq(schema.ledgerTransactions.referenceId, session.id), eq(schema.ledgerAccounts.kind, "wallet")));
    expect(entries.sort((a, b) => a.amount - b.amount)).toEqual([
      { amount: -3000, kind: "earnings.reverse" },
      { amount: 3000, kind: "earnings.post" },
    ]);

    const [audit] = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.targetId, session.id), eq(schema.auditLog.action, "tutoring.session.reverse")));
    expect(audit).toMatchObject({
      actorId: admin.user.id,
      before: { status: "completed", creditOutcome: "consumed" },
      after: { status: "cancelled", reason: "Recording shows no lesson", earningsReversed: [{ amountMinor: 3000 }] },
    });
    expect(await emailsTo(w.learner.email, "session-reversed")).toHaveLength(1);
    expect(await emailsTo(w.teacher.email, "session-reversed")).toHaveLength(1);

    // Payroll: two sessions paid, one reversed, owed the net.
    const payroll = await admin.agent.trpc.admin.payroll.report.query({ from, to: new Date(Date.now() + MINUTE) });
    expect(payroll.rows.find((r) => r.teacherId === w.teacher.user.id)).toMatchObject({
      currency: "EUR",
      sessions: 2,
      reversals: 1,
      reversedMinor: -3000,
      owedMinor: 3000,
    });
    const { csv } = await admin.agent.trpc.admin.payroll.csv.query({ from, to: new Date(Date.now() + MINUTE) });
    expect(csv).toContain("Reversed Teacher");
    expect(csv).toMatch(/Reversed Teacher,[^\r\n]*,EUR,2,2\.00,30\.00,1,-30\.00,30\.00\r\n/);

    // The teacher's earnings page: a negative line for the reversal, net totals.
    const earnings = await w.teacher.agent.trpc.tutoring.earnings.query({});
    expect(earnings.totals).toEqual([{ currency: "EUR", totalMinor: 3000, sessions: 2, reversals: 1 }]);
    expect(earnings.items.filter((i) => i.sessionId === session.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ amountMinor: -3000, reversal: true }),
        expect.objectContaining({ amountMinor: 3000, reversal: false }),
      ]),
    );
    expect(earnings.balances).toEqual([{ currency: "EUR", balanceMinor: 3000 }]);

    // Once only; a booked session cannot be reversed.
    expect(await trpcError(api.reverse.mutate({ sessionId: session.id, reason: "again" }))).toMatchObject({
      status: 409,
      appCode: "ALREADY_REVERSED",
    });
    const booked = await bookAt(w, slotIn(30));
    expect(await trpcError(api.reverse.mutate({ sessionId: booked.id, reason: "no" }))).toMatchObject({
      status: 409,
      appCode: "SESSION_NOT_COMPLETED",
    });
    expect((await api.get.query({ sessionId: kept.id })).status).toBe("completed");
    await expectLedgerSound();
  });

  it("returns the credit with at least the policy's validity when its lot has expired meanwhile", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    // The lot expired an hour ago; the session was booked and completed before that.
    await grantCredits(t, learner.user.id, 1, new Date(Date.now() - 25 * HOUR), 1);
    const session = await completedSession({ teacher, learner });
    expect(await creditBalance(t, learner.user.id)).toBe(0);

    await admin.agent.trpc.admin.sessions.reverse.mutate({ sessionId: session.id, reason: "No lesson" });

    expect(await creditBalance(t, learner.user.id)).toBe(1);
    const lots = await t.db.select().from(schema.creditLots).where(eq(schema.creditLots.learnerId, learner.user.id));
    // The expired lot stays expired; a new lot holds the returned credit.
    expect(lots).toHaveLength(2);
    const fresh = Math.max(...lots.map((l) => l.expiresAt.getTime()));
    expect(fresh).toBeGreaterThanOrEqual(
      Date.now() + TUTORING_POLICY.returnedCreditMinValidityDays * 24 * HOUR - MINUTE,
    );
    await expectLedgerSound();
  });

  it("is refused with EARNINGS_ALREADY_PAID_OUT, moving nothing, when the teacher no longer holds the pay", async () => {
    const w = await world();
    const session = await completedSession(w);
    // The teacher's pay leaves their earnings account (as a payout would).
    await t.db.transaction(async (tx) => {
      const earnings = await userAccount(tx, w.teacher.user.id, "wallet", "EUR");
      const payroll = systemAccountId("payroll_expense", "EUR");
      await post(tx, {
        kind: "test.payout",
        description: "paid out",
        entries: [
          { accountId: earnings, amount: -2000, currency: "EUR" },
          { accountId: payroll, amount: 2000, currency: "EUR" },
        ],
      });
    });
    const credits = await creditBalance(t, w.learner.user.id);

    expect(
      await trpcError(admin.agent.trpc.admin.sessions.reverse.mutate({ sessionId: session.id, reason: "Too late" })),
    ).toMatchObject({ status: 409, appCode: "EARNINGS_ALREADY_PAID_OUT" });

    expect(await creditBalance(t, w.learner.user.id)).toBe(credits);
    expect(await earningsBalance(w.teacher.user.id)).toBe(1000);
    expect((await admin.agent.trpc.admin.sessions.get.query({ sessionId: session.id })).status).toBe("completed");
    await expectLedgerSound();
  });
});

describe("disabling a teacher", () => {
  it("cancels their sessions that have not ended in the same transaction: credits back, learners emailed, audited", async () => {
    const w = await world();
    const other = await person(t, "learner", { name: "Olga Other" });
    await grantCredits(t, other.user.id, 1);
    const first = await bookAt(w, slotIn(30));
    const second = await bookSession(
      t.db,
      actorOf(other),
      { teacherId: w.teacher.user.id, startsAt: slotIn(50), durationMinutes: 60 },
      at(Date.now()),
    );
    const done = await completedSession(w);
    const credits = await creditBalance(t, w.learner.user.id);

    await admin.agent.trpc.admin.users.disable.mutate({ userId: w.teacher.user.id, reason: "Left the platform" });

    for (const id of [first.id, second.id])
      expect(await admin.agent.trpc.admin.sessions.get.query({ sessionId: id })).toMatchObject({
        status: "cancelled",
        creditOutcome: "refunded",
        cancelReason: "Left the platform",
        cancelledBy: "admin",
      });
    expect((await admin.agent.trpc.admin.sessions.get.query({ sessionId: done.id })).status).toBe("completed");
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits + 1);
    expect(await creditBalance(t, other.user.id)).toBe(1);
    expect(await emailsTo(w.learner.email, "session-cancelled")).toHaveLength(1);
    expect(await emailsTo(other.email, "session-cancelled")).toHaveLength(1);
    const [audit] = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.targetId, w.teacher.user.id), eq(schema.auditLog.action, "user.disable")));
    expect(audit?.after).toMatchObject({ banned: true, sessionsCancelled: 2 });
    await expectLedgerSound();
  });

  it("a booking that overlaps a disabling waits for it and is refused, so none is left booked", async () => {
    const w = await world();
    const credits = await creditBalance(t, w.learner.user.id);
    // A disabling under way: the teacher's row is locked and marked, not yet committed.
    let locked!: () => void;
    let finish!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const disabling = t.db.transaction(async (tx) => {
      await tx.select().from(schema.users).where(eq(schema.users.id, w.teacher.user.id)).for("update");
      await tx.update(schema.users).set({ banned: true }).where(eq(schema.users.id, w.teacher.user.id));
      locked();
      await finished;
    });
    await isLocked;
    // The teacher still looks bookable from outside that transaction.
    const booking = bookSession(
      t.db,
      actorOf(w.learner),
      { teacherId: w.teacher.user.id, startsAt: slotIn(30), durationMinutes: 60 },
      at(Date.now()),
    ).then(
      () => "booked",
      (error: { code?: string }) => error.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    finish();
    await disabling;

    expect(await booking).toBe("TEACHER_NOT_FOUND");
    const left = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.teacherId, w.teacher.user.id));
    expect(left).toEqual([]);
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits);
    await expectLedgerSound();
  });

  it("auto-completion never completes a disabled teacher's session: it cancels it with the credit returned", async () => {
    const w = await world();
    const session = await bookAt(w, slotAgo(2));
    const credits = await creditBalance(t, w.learner.user.id);
    await admin.agent.trpc.admin.users.disable.mutate({ userId: w.teacher.user.id, reason: "Fraud" });
    // It had ended: disabling left it for the sweep.
    expect((await admin.agent.trpc.admin.sessions.get.query({ sessionId: session.id })).status).toBe("booked");

    const run = await autoCompleteSessions(t.db, at(session.endsAt.getTime() + GRACE + MINUTE));

    expect(run.completed).toBe(0);
    expect(await admin.agent.trpc.admin.sessions.get.query({ sessionId: session.id })).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
    });
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(0);
    await expectLedgerSound();
  });
});
