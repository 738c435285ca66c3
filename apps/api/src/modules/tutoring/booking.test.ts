import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import {
  ALWAYS,
  creditBalance,
  grantCredits,
  heldCredits,
  jobsWithKeyPrefix,
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
/** A slot start about `hours` from now, on the half-hour grid. */

async function teacherAvailableAlways(options: Parameters<typeof person>[2] = {}) {
  const teacher = await person(t, "teacher", options);
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  return teacher;
}

async function learnerWithCredits(credits: number) {
  const learner = await person(t, "learner");
  if (credits > 0) await grantCredits(t, learner.user.id, credits);
  return learner;
}

const sessionRow = async (id: string) =>
  (await t.db.select().from(schema.tutoringSessions).where(eq(schema.tutoringSessions.id, id)))[0];

const auditRows = (action: string, targetId: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), eq(schema.auditLog.targetId, targetId)));

const book = (learner: Person, teacher: Person, startsAt: Date, durationMinutes: 30 | 45 | 60 | 90 | 120 = 60) =>
  learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt, durationMinutes });

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

describe("booking", () => {
  it("reserves one credit from the soonest-expiring lot, takes the teacher's default link, schedules both reminders, and is audited", async () => {
    const teacher = await teacherAvailableAlways();
    await teacher.agent.trpc.tutoring.profile.update.mutate({
      bio: "Grammar nerd",
      subjects: ["English"],
      languages: ["English", "Arabic"],
      defaultMeetingUrl: "https://meet.example.com/tom",
    });
    await setTeacherRate(t, teacher.user.id, 2500, "GBP");
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 3, new Date(), 90);
    const soonest = await grantCredits(t, learner.user.id, 1, new Date(), 10);
    const startsAt = slotIn(48);

    const session = await book(learner, teacher, startsAt, 45);

    expect(session).toMatchObject({
      status: "booked",
      creditOutcome: "reserved",
      startsAt,
      endsAt: new Date(startsAt.getTime() + 45 * MINUTE),
      durationMinutes: 45,
      meetingUrl: "https://meet.example.com/tom",
      viewerRole: "learner",
      teacher: { id: teacher.user.id },
      learner: { id: learner.user.id },
      joinableFrom: new Date(startsAt.getTime() - TUTORING_POLICY.joinWindowMinutes * MINUTE),
      joinableUntil: new Date(startsAt.getTime() + 45 * MINUTE),
      canJoin: false,
      canReschedule: true,
      canCancel: true,
      freeChangeDeadline: new Date(startsAt.getTime() - TUTORING_POLICY.freeChangeMinutes * MINUTE),
    });
    expect(await sessionRow(session.id)).toMatchObject({
      creditLotId: soonest.id,
      hourlyRateMinor: 2500,
      rateCurrency: "GBP",
      createdBy: learner.user.id,
    });
    expect(await creditBalance(t, learner.user.id)).toBe(3);
    const jobs = await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`);
    expect(jobs.map((j) => [j.key, j.task_identifier, j.run_at.toISOString()])).toEqual([
      [
        `tutoring.reminder:${session.id}:1440`,
        "tutoring.reminder",
        new Date(startsAt.getTime() - 24 * HOUR).toISOString(),
      ],
      [`tutoring.reminder:${session.id}:60`, "tutoring.reminder", new Date(startsAt.getTime() - HOUR).toISOString()],
    ]);
    expect(await auditRows("tutoring.session.book", session.id)).toHaveLength(1);
    await expectLedgerSound();
  });

  it("shows the session to its learner and teacher (with the learner's onboarding summary), to admins, and to nobody else", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    await t.db.insert(schema.onboardingAnswers).values({
      learnerId: learner.user.id,
      timezone: "Africa/Cairo",
      goals: "Pass IELTS",
      level: "B1",
      preferredFormat: "conversation",
    });
    const session = await book(learner, teacher, slotIn(30));

    const mine = await learner.agent.trpc.tutoring.sessions.upcoming.query({});
    expect(mine.items.map((s) => s.id)).toEqual([session.id]);
    expect(mine.items[0]?.learnerOnboarding).toBeNull();
    const schedule = await teacher.agent.trpc.tutoring.sessions.upcoming.query({});
    expect(schedule.items[0]).toMatchObject({
      id: session.id,
      viewerRole: "teacher",
      learner: { id: learner.user.id, name: learner.user.name },
      learnerOnboarding: { goals: "Pass IELTS", level: "B1", preferredFormat: "conversation" },
    });
    expect((await learner.agent.trpc.tutoring.sessions.past.query({})).items).toEqual([]);

    const admin = await person(t, "admin");
    expect(await admin.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).toMatchObject({
      viewerRole: "admin",
    });
    for (const stranger of [await person(t, "learner"), await person(t, "teacher")]) {
      expect(await trpcError(stranger.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id }))).toMatchObject(
        { status: 404, appCode: "SESSION_NOT_FOUND" },
      );
      expect(
        await trpcError(stranger.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id })),
      ).toMatchObject({ status: 404, appCode: "SESSION_NOT_FOUND" });
      expect((await stranger.agent.trpc.tutoring.sessions.upcoming.query({})).items).toEqual([]);
    }
  });

  it("50 learners booking one slot at once: exactly one gets it, 49 get 409 SLOT_TAKEN, none a 5xx", async () => {
    const teacher = await teacherAvailableAlways();
    const learners = await Promise.all(Array.from({ length: 50 }, () => learnerWithCredits(1)));
    const startsAt = slotIn(72);

    const results = await Promise.all(
      learners.map((l) =>
        book(l, teacher, startsAt).then(
          () => ({ ok: true as const }),
          async (error) => ({ ok: false as const, ...(await trpcError(Promise.reject(error))) }),
        ),
      ),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r).toMatchObject({ status: 409, appCode: "SLOT_TAKEN" });
    const booked = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.teacherId, teacher.user.id));
    expect(booked).toHaveLength(1);
    // The 49 keep their credit.
    const balances = await Promise.all(learners.map((l) => creditBalance(t, l.user.id)));
    expect(balances.filter((b) => b === 1)).toHaveLength(49);
    await expectLedgerSound();
  });

  it("a learner with 3 credits booking 8 slots at once gets exactly 3", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    await grantCredits(t, learner.user.id, 1, new Date(), 30);
    const starts = Array.from({ length: 8 }, (_, i) => slotIn(24 + i * 2));

    const results = await Promise.all(
      starts.map((s) =>
        book(learner, teacher, s).then(
          () => ({ ok: true as const }),
          async (error) => ({ ok: false as const, ...(await trpcError(Promise.reject(error))) }),
        ),
      ),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(3);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r.status).toBe(409);
      expect(["NO_CREDITS", "INSUFFICIENT_BALANCE"]).toContain(r.appCode);
    }
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    expect(await heldCredits(t)).toBeGreaterThanOrEqual(3);
    await expectLedgerSound();
  });

  it("refuses a learner with no credits (NO_CREDITS) and a second session at the same time (SLOT_TAKEN), writing nothing", async () => {
    const teacher = await teacherAvailableAlways();
    const other = await teacherAvailableAlways();
    const broke = await learnerWithCredits(0);
    const startsAt = slotIn(50);
    expect(await trpcError(book(broke, teacher, startsAt))).toMatchObject({ status: 409, appCode: "NO_CREDITS" });

    const learner = await learnerWithCredits(2);
    await book(learner, teacher, startsAt, 60);
    // The learner cannot be in two sessions at once, even with two teachers.
    expect(await trpcError(book(learner, other, new Date(startsAt.getTime() + 30 * MINUTE)))).toMatchObject({
      status: 409,
      appCode: "SLOT_TAKEN",
    });
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    await expectLedgerSound();
  });

  it("teachers and admins cannot book through the learner door", async () => {
    const teacher = await teacherAvailableAlways();
    for (const role of ["teacher", "admin"] as const) {
      const someone = await person(t, role);
      expect(await trpcError(book(someone, teacher, slotIn(40)))).toMatchObject({ status: 403, appCode: "FORBIDDEN" });
    }
  });
});

describe("cancelling", () => {
  it("a learner cancelling early gets the credit back and the reminders go; cancelling again refunds nothing", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    const session = await book(learner, teacher, slotIn(48));
    expect(await learner.agent.trpc.tutoring.sessions.changePreview.query({ sessionId: session.id })).toMatchObject({
      creditOutcome: "refunded",
      isFree: true,
      canReschedule: true,
      deadline: new Date(session.startsAt.getTime() - TUTORING_POLICY.freeChangeMinutes * MINUTE),
    });

    const cancelled = await learner.agent.trpc.tutoring.sessions.cancel.mutate({
      sessionId: session.id,
      reason: "Exam moved",
    });

    expect(cancelled).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
      cancelledBy: "learner",
      cancelReason: "Exam moved",
    });
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    expect(await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`)).toEqual([]);
    expect(await auditRows("tutoring.session.cancel", session.id)).toHaveLength(1);
    // The teacher is told.
    const [email] = await t.db
      .select()
      .from(schema.emailOutbox)
      .where(
        and(eq(schema.emailOutbox.toAddress, teacher.email), eq(schema.emailOutbox.template, "session-cancelled")),
      );
    expect(email?.subject).toContain(learner.user.name);

    expect(
      await trpcError(learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id })),
    ).toMatchObject({ status: 409, appCode: "SESSION_NOT_BOOKED" });
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    // The freed slot can be booked again.
    await book(learner, teacher, session.startsAt);
    await expectLedgerSound();
  });

  it("cancelling the same session many times at once (learner and teacher) refunds exactly once", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    const session = await book(learner, teacher, slotIn(48));

    const attempts = [learner, teacher, learner, teacher, learner, learner].map((p) =>
      p.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id }).then(
        () => "ok",
        async (error) => (await trpcError(Promise.reject(error))).appCode,
      ),
    );
    const outcomes = await Promise.all(attempts);

    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "SESSION_NOT_BOOKED")).toHaveLength(5);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    const refunds = await t.db
      .select()
      .from(schema.ledgerTransactions)
      .where(
        and(eq(schema.ledgerTransactions.referenceId, session.id), eq(schema.ledgerTransactions.kind, "credit.refund")),
      );
    expect(refunds).toHaveLength(1);
    await expectLedgerSound();
  });

  it("a learner cancelling inside the free-change window forfeits the credit; the preview says so first", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    const session = await book(learner, teacher, slotIn(4));
    const preview = await learner.agent.trpc.tutoring.sessions.changePreview.query({ sessionId: session.id });
    expect(preview).toMatchObject({ creditOutcome: "forfeited", isFree: false, canReschedule: false });
    // The teacher cancelling would return it.
    expect(await teacher.agent.trpc.tutoring.sessions.changePreview.query({ sessionId: session.id })).toMatchObject({
      creditOutcome: "refunded",
      canReschedule: false,
    });

    const forfeited = await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });

    expect(forfeited).toMatchObject({ status: "cancelled", creditOutcome: "forfeited" });
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    await expectLedgerSound();
  });

  it("a teacher cancelling, however late, returns the learner's credit", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    const session = await book(learner, teacher, slotIn(3));

    const cancelled = await teacher.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });

    expect(cancelled).toMatchObject({ status: "cancelled", creditOutcome: "refunded", cancelledBy: "teacher" });
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    await expectLedgerSound();
  });
});

describe("rescheduling", () => {
  it("moves the session and its reminders while changes are free, keeping the same reservation", async () => {
    const teacher = await teacherAvailableAlways();
    const learner = await learnerWithCredits(1);
    const session = await book(learner, teacher, slotIn(48));
    const ledgerBefore = (await t.db.select().from(schema.ledgerEntries)).length;
    const newStart = slotIn(100);

    const moved = await learner.agent.trpc.tutoring.sessions.reschedule.mutate({
      sessionId: session.id,
      startsAt: newStart,
    });

    expect(moved).toMatchObject({ status: "booked", creditOutcome: "reserved", startsAt: newStart });
    expect((await t.db.select().from(schema.ledgerEntries)).length).toBe(ledgerBefore);
    const jobs = await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`);
    expect(jobs.map((j) => j.run_at.getTime())).toEqual([newStart.getTime() - 24 * HOUR, newStart.getTime() - HOUR]);
    expect(jobs.map((j) => (j.payload as { startsAt: string }).startsAt)).toEqual([
      newStart.toISOString(),
      newStart.toISOString(),
    ]);
    expect(await auditRows("tutoring.session.reschedule", session.id)).toHaveLength(1);
  });

  it("refuses a late reschedule (TOO_LATE_TO_CHANGE), a slot off availability (SLOT_UNAVAILABLE) and a teacher's attempt (403), changing nothing", async () => {
    const teacher = await person(t, "teacher");
    // Weekdays and weekends 08:00–20:00 UTC only.
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({
      rules: ALWAYS.map((r) => ({ ...r, startMinute: 8 * 60, endMinute: 20 * 60 })),
    });
    const learner = await learnerWithCredits(2);
    const day = new Date(Date.now() + 3 * 24 * HOUR);
    const at = (hour: number, daysLater = 0) =>
      new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + daysLater, hour));
    const session = await book(learner, teacher, at(10));

    expect(
      await trpcError(
        learner.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: session.id, startsAt: at(22) }),
      ),
    ).toMatchObject({ status: 409, appCode: "SLOT_UNAVAILABLE" });
    expect(
      await trpcError(
        learner.agent.trpc.tutoring.sessions.reschedule.mutate({
          sessionId: session.id,
          startsAt: new Date(at(19, 1).getTime() + 30 * MINUTE),
        }),
      ),
    ).toMatchObject({ status: 409, appCode: "SLOT_UNAVAILABLE" });
    expect(
      await trpcError(
        teacher.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: session.id, startsAt: at(12) }),
      ),
    ).toMatchObject({ status: 403, appCode: "FORBIDDEN" });
    expect((await sessionRow(session.id))?.startsAt).toEqual(at(10));

    // Within 12 hours of the start a reschedule is too late.
    const soon = new Date(Math.ceil((Date.now() + 5 * HOUR) / STEP) * STEP);
    const soonTeacher = await teacherAvailableAlways();
    const late = await book(learner, soonTeacher, soon);
    expect(
      await trpcError(
        learner.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: late.id, startsAt: slotIn(80) }),
      ),
    ).toMatchObject({ status: 409, appCode: "TOO_LATE_TO_CHANGE" });
    expect((await sessionRow(late.id))?.startsAt).toEqual(soon);
  });
});
