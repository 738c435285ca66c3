import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { markLearnerAbsent, reportTeacherAbsent } from "./disputes.ts";
import { type Actor, autoCompleteSessions, bookSession, getSession, reportSession } from "./sessions.ts";
import {
  ALWAYS,
  creditBalance,
  grantCredits,
  ledgerInvariants,
  type Person,
  person,
  platformBalance,
  setTeacherRate,
  slotIn,
} from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
const NO_SHOW = TUTORING_POLICY.noShowAfterStartMinutes * MINUTE;
const GRACE = TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE;
const WINDOW = TUTORING_POLICY.teacherAbsentReportWindowMinutes * MINUTE;
const REPORT_EARLY = TUTORING_POLICY.reportOpensBeforeEndMinutes * MINUTE;

/** A grid slot that started between one and one and a half hours ago (a 60-minute session has just ended). */
const startedSlot = () => new Date(Math.floor(Date.now() / STEP) * STEP - HOUR);

/** The stable code and message a service call fails with. */
async function appError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

const actorOf = (p: Person): Actor => ({ id: p.user.id, role: p.user.role });
const at = (ms: number) => ({ now: new Date(ms) });

async function world() {
  const teacher = await person(t, "teacher", { name: "Tariq Teacher" });
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  await setTeacherRate(t, teacher.user.id, 4000, "USD");
  const learner = await person(t, "learner", { name: "Layla Learner" });
  await grantCredits(t, learner.user.id, 3, new Date(Date.now() - 30 * 24 * HOUR));
  return { teacher, learner };
}

/** Books a 60-minute session at `startsAt` as if the learner had booked it three hours before. */
async function bookAt(w: { teacher: Person; learner: Person }, startsAt: Date) {
  return bookSession(
    t.db,
    actorOf(w.learner),
    { teacherId: w.teacher.user.id, startsAt, durationMinutes: 60 },
    at(startsAt.getTime() - 3 * HOUR),
  );
}

async function earningsBalance(teacherId: string) {
  const [row] = await t.db
    .select({ balance: schema.ledgerAccounts.balance })
    .from(schema.ledgerAccounts)
    .where(and(eq(schema.ledgerAccounts.ownerId, teacherId), eq(schema.ledgerAccounts.kind, "wallet")));
  return row?.balance ?? 0;
}

const ledgerKinds = async (sessionId: string) =>
  (
    await t.db
      .select({ kind: schema.ledgerTransactions.kind })
      .from(schema.ledgerTransactions)
      .where(eq(schema.ledgerTransactions.referenceId, sessionId))
      .orderBy(schema.ledgerTransactions.createdAt)
  )
    .map((r) => r.kind)
    // postings of one transaction share a timestamp: compare as a set
    .sort();

const auditActions = async (sessionId: string) =>
  (await t.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, sessionId))).map((r) => r.action);

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

describe("once a session has started", () => {
  it("the learner can neither cancel nor reschedule it (409 SESSION_STARTED) and the app stops offering both", async () => {
    const w = await world();
    const session = await bookAt(w, startedSlot());
    const credits = await creditBalance(t, w.learner.user.id);
    const api = w.learner.agent.trpc.tutoring.sessions;

    // Before the start, both were offered.
    const before = await getSession(t.db, actorOf(w.learner), session.id, at(session.startsAt.getTime() - 13 * HOUR));
    expect(before).toMatchObject({ canCancel: true, canReschedule: true });

    expect(await trpcError(api.cancel.mutate({ sessionId: session.id }))).toMatchObject({
      status: 409,
      appCode: "SESSION_STARTED",
    });
    expect(await trpcError(api.reschedule.mutate({ sessionId: session.id, startsAt: slotIn(30) }))).toMatchObject({
      status: 409,
      appCode: "SESSION_STARTED",
    });
    expect(await api.get.query({ sessionId: session.id })).toMatchObject({
      status: "booked",
      creditOutcome: "reserved",
      canCancel: false,
      canReschedule: false,
      canReportTeacherAbsent: true,
    });
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits);
    expect(await ledgerKinds(session.id)).toEqual(["credit.reserve"]);
    await expectLedgerSound();
  });
});

describe("the teacher marks the learner absent", () => {
  it("is refused before 15 minutes after the start; from then it completes the session: credit used, teacher paid, learner emailed", async () => {
    const w = await world();
    const session = await bookAt(w, slotIn(30));
    const start = session.startsAt.getTime();
    const credits = await creditBalance(t, w.learner.user.id);
    const consumed = await platformBalance(t, "credit_consumed");
    const teacher = actorOf(w.teacher);

    const view = await getSession(t.db, teacher, session.id, at(start + NO_SHOW - MINUTE));
    expect(view).toMatchObject({ canMarkLearnerAbsent: false, noShowFrom: new Date(start + NO_SHOW) });
    const early = await appError(markLearnerAbsent(t.db, teacher, session.id, at(start + NO_SHOW - MINUTE)));
    expect(early).toMatchObject({ status: 409, code: "NO_SHOW_TOO_EARLY" });
    expect(early.message).toContain(new Date(start + NO_SHOW).toISOString());
    expect(await ledgerKinds(session.id)).toEqual(["credit.reserve"]);
    // Only the teacher can.
    expect(await appError(markLearnerAbsent(t.db, actorOf(w.learner), session.id, at(start + HOUR)))).toMatchObject({
      status: 403,
      code: "FORBIDDEN",
    });

    expect((await getSession(t.db, teacher, session.id, at(start + NO_SHOW))).canMarkLearnerAbsent).toBe(true);
    const done = await markLearnerAbsent(t.db, teacher, session.id, at(start + NO_SHOW));

    expect(done).toMatchObject({
      status: "completed",
      creditOutcome: "consumed",
      learnerAbsentAt: new Date(start + NO_SHOW),
      canMarkLearnerAbsent: false,
    });
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits);
    expect(await platformBalance(t, "credit_consumed")).toBe(consumed + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(4000);
    expect(await ledgerKinds(session.id)).toEqual(["credit.consume", "credit.reserve", "earnings.post"]);
    expect(await auditActions(session.id)).toEqual(
      expect.arrayContaining(["tutoring.session.complete", "tutoring.session.learner_absent"]),
    );
    expect(await emailsTo(w.learner.email, "session-learner-absent")).toHaveLength(1);
    // Once only.
    expect(await appError(markLearnerAbsent(t.db, teacher, session.id, at(start + HOUR)))).toMatchObject({
      code: "SESSION_NOT_BOOKED",
    });
    expect(await earningsBalance(w.teacher.user.id)).toBe(4000);
    await expectLedgerSound();
  });

  it("works through the API for a session that started over 15 minutes ago", async () => {
    const w = await world();
    const session = await bookAt(w, startedSlot());
    expect(
      (await w.teacher.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).canMarkLearnerAbsent,
    ).toBe(true);
    const done = await w.teacher.agent.trpc.tutoring.sessions.markLearnerAbsent.mutate({ sessionId: session.id });
    expect(done).toMatchObject({ status: "completed", creditOutcome: "consumed" });
    expect(await earningsBalance(w.teacher.user.id)).toBe(4000);
    await expectLedgerSound();
  });
});

describe("the teacher's report", () => {
  it("opens a few minutes before the scheduled end: before, 409 REPORT_NOT_OPEN with the opening time; the view says when", async () => {
    const w = await world();
    const session = await bookAt(w, slotIn(30));
    const opens = session.endsAt.getTime() - REPORT_EARLY;
    const teacher = actorOf(w.teacher);
    const report = { sessionId: session.id, message: "Good lesson", comments: "", nextSteps: "" };

    const during = await getSession(t.db, teacher, session.id, at(opens - MINUTE));
    expect(during).toMatchObject({ canReport: false, reportOpensAt: new Date(opens) });
    const refused = await appError(reportSession(t.db, teacher, report, at(opens - MINUTE)));
    expect(refused).toMatchObject({ status: 409, code: "REPORT_NOT_OPEN" });
    expect(refused.message).toContain(new Date(opens).toISOString());
    expect(await ledgerKinds(session.id)).toEqual(["credit.reserve"]);

    expect((await getSession(t.db, teacher, session.id, at(opens))).canReport).toBe(true);
    expect(await reportSession(t.db, teacher, report, at(opens))).toMatchObject({ status: "completed" });
    expect(await earningsBalance(w.teacher.user.id)).toBe(4000);
    await expectLedgerSound();
  });

  it("is refused through the API while the session is under way", async () => {
    const w = await world();
    // Started 1–1.5 h ago: a 120-minute session is still running.
    const startsAt = startedSlot();
    const session = await bookSession(
      t.db,
      actorOf(w.learner),
      { teacherId: w.teacher.user.id, startsAt, durationMinutes: 120 },
      at(startsAt.getTime() - 3 * HOUR),
    );
    expect(
      await trpcError(
        w.teacher.agent.trpc.tutoring.sessions.report.mutate({ sessionId: session.id, message: "Too early" }),
      ),
    ).toMatchObject({ status: 409, appCode: "REPORT_NOT_OPEN" });
  });
});

describe("the learner reports that the teacher did not come", () => {
  it("keeps the session out of auto-completion and puts it in the admin queue; the admin refunds: credit back, audited, both emailed", async () => {
    const w = await world();
    const admin = await person(t, "admin");
    const session = await bookAt(w, startedSlot());
    const credits = await creditBalance(t, w.learner.user.id);

    const reported = await w.learner.agent.trpc.tutoring.sessions.reportTeacherAbsent.mutate({
      sessionId: session.id,
      note: "Waited 30 minutes, nobody came",
    });
    expect(reported).toMatchObject({
      status: "booked",
      canReportTeacherAbsent: false,
      dispute: { open: true, resolution: null },
    });
    expect(await emailsTo(w.teacher.email, "session-teacher-absent-reported")).toHaveLength(1);
    // Twice is refused.
    expect(
      await trpcError(w.learner.agent.trpc.tutoring.sessions.reportTeacherAbsent.mutate({ sessionId: session.id })),
    ).toMatchObject({ status: 409, appCode: "SESSION_DISPUTED" });
    // The teacher can no longer complete it, nor mark the learner absent.
    expect(
      await trpcError(w.teacher.agent.trpc.tutoring.sessions.report.mutate({ sessionId: session.id, message: "x" })),
    ).toMatchObject({ status: 409, appCode: "SESSION_DISPUTED" });
    expect(
      await trpcError(w.teacher.agent.trpc.tutoring.sessions.markLearnerAbsent.mutate({ sessionId: session.id })),
    ).toMatchObject({ status: 409, appCode: "SESSION_DISPUTED" });

    // Auto-completion, however late, leaves it alone.
    await autoCompleteSessions(t.db, at(session.endsAt.getTime() + GRACE + 10 * 24 * HOUR));
    expect(await ledgerKinds(session.id)).toEqual(["credit.reserve"]);

    const queue = await admin.agent.trpc.admin.sessions.disputes.query({});
    expect(queue.items.map((s) => s.id)).toContain(session.id);
    expect(queue.items.find((s) => s.id === session.id)).toMatchObject({
      teacherAbsentNote: "Waited 30 minutes, nobody came",
      learner: { email: w.learner.email },
    });

    const resolved = await admin.agent.trpc.admin.sessions.resolveDispute.mutate({
      sessionId: session.id,
      resolution: "refund",
      note: "Teacher confirmed they missed it",
    });
    expect(resolved).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
      dispute: { open: false, resolution: "refund" },
      disputeNote: "Teacher confirmed they missed it",
    });
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(0);
    expect(await ledgerKinds(session.id)).toEqual(["credit.refund", "credit.reserve"]);
    expect(await auditActions(session.id)).toEqual(
      expect.arrayContaining(["tutoring.session.teacher_absent", "tutoring.session.dispute.resolve"]),
    );
    expect(await emailsTo(w.learner.email, "session-dispute-resolved")).toHaveLength(1);
    expect(await emailsTo(w.teacher.email, "session-dispute-resolved")).toHaveLength(1);
    expect((await admin.agent.trpc.admin.sessions.disputes.query({})).items.map((s) => s.id)).not.toContain(session.id);
    expect(
      (await admin.agent.trpc.admin.sessions.disputes.query({ state: "resolved" })).items.map((s) => s.id),
    ).toContain(session.id);
    // Resolved once only.
    expect(
      await trpcError(
        admin.agent.trpc.admin.sessions.resolveDispute.mutate({
          sessionId: session.id,
          resolution: "complete",
          note: "x",
        }),
      ),
    ).toMatchObject({ status: 409, appCode: "DISPUTE_NOT_OPEN" });
    await expectLedgerSound();
  });

  it("the admin completes a dispute instead: credit used, teacher paid, both emailed", async () => {
    const w = await world();
    const admin = await person(t, "admin");
    const session = await bookAt(w, startedSlot());
    const consumed = await platformBalance(t, "credit_consumed");
    await w.learner.agent.trpc.tutoring.sessions.reportTeacherAbsent.mutate({ sessionId: session.id });

    const resolved = await admin.agent.trpc.admin.sessions.resolveDispute.mutate({
      sessionId: session.id,
      resolution: "complete",
      note: "Meeting logs show the teacher was there",
    });

    expect(resolved).toMatchObject({
      status: "completed",
      creditOutcome: "consumed",
      dispute: { resolution: "complete" },
    });
    expect(await platformBalance(t, "credit_consumed")).toBe(consumed + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(4000);
    expect(await emailsTo(w.learner.email, "session-dispute-resolved")).toHaveLength(1);
    expect(await emailsTo(w.teacher.email, "session-dispute-resolved")).toHaveLength(1);
    const [audit] = await t.db
      .select()
      .from(schema.auditLog)
      .where(
        and(eq(schema.auditLog.targetId, session.id), eq(schema.auditLog.action, "tutoring.session.dispute.resolve")),
      );
    expect(audit).toMatchObject({ actorId: admin.user.id, after: { resolution: "complete" } });
    await expectLedgerSound();
  });

  it("is accepted from 15 minutes after the start until 24 hours after the end, and disputes a completed session too", async () => {
    const w = await world();
    const admin = await person(t, "admin");
    const session = await bookAt(w, slotIn(30));
    const learner = actorOf(w.learner);
    const start = session.startsAt.getTime();
    const end = session.endsAt.getTime();

    expect(
      await appError(reportTeacherAbsent(t.db, learner, { sessionId: session.id }, at(start + NO_SHOW - MINUTE))),
    ).toMatchObject({
      code: "NO_SHOW_TOO_EARLY",
    });
    expect(
      await appError(reportTeacherAbsent(t.db, learner, { sessionId: session.id }, at(end + WINDOW + MINUTE))),
    ).toMatchObject({
      code: "NO_SHOW_WINDOW_CLOSED",
    });
    expect((await getSession(t.db, learner, session.id, at(end + WINDOW + MINUTE))).canReportTeacherAbsent).toBe(false);

    // The teacher reports at the end, then the learner says the teacher never came.
    await reportSession(
      t.db,
      actorOf(w.teacher),
      { sessionId: session.id, message: "Fine", comments: "", nextSteps: "" },
      at(end),
    );
    const credits = await creditBalance(t, w.learner.user.id);
    expect(await reportTeacherAbsent(t.db, learner, { sessionId: session.id }, at(end + WINDOW))).toMatchObject({
      status: "completed",
      dispute: { open: true },
    });
    // Refunding a completed session reverses it.
    const resolved = await admin.agent.trpc.admin.sessions.resolveDispute.mutate({
      sessionId: session.id,
      resolution: "refund",
      note: "No meeting took place",
    });
    expect(resolved).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
      reversal: { reason: "No meeting took place" },
    });
    expect(await creditBalance(t, w.learner.user.id)).toBe(credits + 1);
    expect(await earningsBalance(w.teacher.user.id)).toBe(0);
    expect(await ledgerKinds(session.id)).toEqual([
      "credit.consume",
      "credit.refund",
      "credit.reserve",
      "credit.reverse",
      "earnings.post",
      "earnings.reverse",
    ]);
    await expectLedgerSound();
  });
});
