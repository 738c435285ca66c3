import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import { sendReminder } from "./reminders.ts";
import { autoCompleteSessions, bookSession, reportSession } from "./sessions.ts";
import {
  ALWAYS,
  creditBalance,
  grantCredits,
  jobsWithKeyPrefix,
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
const GRACE = TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE;

async function world(
  options: { rate?: number; currency?: string; learnerTz?: string; learnerLocale?: "en" | "ar" } = {},
) {
  const teacher = await person(t, "teacher", { name: "Tom Teacher" });
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  if (options.rate !== undefined) await setTeacherRate(t, teacher.user.id, options.rate, options.currency ?? "USD");
  const learner = await person(t, "learner", {
    name: "Lena Learner",
    timezone: options.learnerTz ?? "UTC",
    locale: options.learnerLocale ?? "en",
  });
  await grantCredits(t, learner.user.id, 3);
  return { teacher, learner };
}

const actorOf = (p: Person) => ({ id: p.user.id, role: p.user.role });

const ledgerOf = (sessionId: string, kind?: string) =>
  t.db
    .select()
    .from(schema.ledgerTransactions)
    .where(
      and(
        eq(schema.ledgerTransactions.referenceId, sessionId),
        kind ? eq(schema.ledgerTransactions.kind, kind) : undefined,
      ),
    );

async function earningsBalance(teacherId: string, currency: string) {
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

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

describe("completing a session", () => {
  it("the teacher's report after the start completes it: credit consumed, pay (rate × duration, half up) posted once, audited", async () => {
    const { teacher, learner } = await world({ rate: 1001 });
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 30,
    });
    const report = { sessionId: session.id, message: "Great work", comments: "Shy at first", nextSteps: "Past tense" };
    expect(await trpcError(teacher.agent.trpc.tutoring.sessions.report.mutate(report))).toMatchObject({
      status: 409,
      appCode: "REPORT_NOT_OPEN",
    });
    expect(await trpcError(learner.agent.trpc.tutoring.sessions.report.mutate(report))).toMatchObject({
      status: 403,
      appCode: "FORBIDDEN",
    });
    const consumedBefore = await platformBalance(t, "credit_consumed");

    const done = await reportSession(t.db, actorOf(teacher), report, {
      now: new Date(session.startsAt.getTime() + 25 * MINUTE),
    });

    expect(done).toMatchObject({
      status: "completed",
      creditOutcome: "consumed",
      report: { message: "Great work", comments: "Shy at first", nextSteps: "Past tense" },
      canReport: false,
    });
    expect(await platformBalance(t, "credit_consumed")).toBe(consumedBefore + 1);
    expect(await earningsBalance(teacher.user.id, "USD")).toBe(501);
    expect(await ledgerOf(session.id, "earnings.post")).toHaveLength(1);
    expect(await creditBalance(t, learner.user.id)).toBe(2);
    // The learner sees the message and next steps, not the teacher's comments.
    expect((await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).report).toEqual({
      message: "Great work",
      nextSteps: "Past tense",
      comments: null,
    });
    const [audit] = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "tutoring.session.complete"), eq(schema.auditLog.targetId, session.id)));
    expect(audit?.after).toMatchObject({ automatic: false, earnings: { amountMinor: 501, currency: "USD" } });

    // Reporting again changes nothing.
    expect(await trpcError(teacher.agent.trpc.tutoring.sessions.report.mutate(report))).toMatchObject({
      status: 409,
      appCode: "SESSION_NOT_BOOKED",
    });
    expect(await earningsBalance(teacher.user.id, "USD")).toBe(501);

    const earnings = await teacher.agent.trpc.tutoring.earnings.query({});
    expect(earnings.totals).toEqual([{ currency: "USD", totalMinor: 501, sessions: 1, reversals: 0 }]);
    expect(earnings.balances).toEqual([{ currency: "USD", balanceMinor: 501 }]);
    expect(earnings.items).toEqual([
      expect.objectContaining({
        sessionId: session.id,
        amountMinor: 501,
        currency: "USD",
        durationMinutes: 30,
        learnerName: "Lena Learner",
        startsAt: session.startsAt,
      }),
    ]);
    expect((await teacher.agent.trpc.tutoring.earnings.query({ to: new Date(Date.now() - HOUR) })).items).toEqual([]);
    await expectLedgerSound();
  });

  it("a learner rates a completed session once (1–5); the rating shows in the directory and in progress", async () => {
    const { teacher, learner } = await world({ rate: 0 });
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 90,
    });
    const rate = { sessionId: session.id, rating: 4, comment: "Helpful" };
    expect(await trpcError(learner.agent.trpc.tutoring.sessions.rate.mutate(rate))).toMatchObject({
      status: 409,
      appCode: "SESSION_NOT_COMPLETED",
    });
    await reportSession(
      t.db,
      actorOf(teacher),
      { sessionId: session.id, message: "Done", comments: "", nextSteps: "" },
      { now: session.endsAt },
    );
    // A zero rate posts no pay at all (no zero entries).
    expect(await ledgerOf(session.id, "earnings.post")).toEqual([]);
    expect(await trpcError(teacher.agent.trpc.tutoring.sessions.rate.mutate(rate))).toMatchObject({ status: 403 });

    const rated = await learner.agent.trpc.tutoring.sessions.rate.mutate(rate);

    expect(rated).toMatchObject({ rating: 4, ratingComment: "Helpful", canRate: false });
    expect(await trpcError(learner.agent.trpc.tutoring.sessions.rate.mutate({ ...rate, rating: 5 }))).toMatchObject({
      status: 409,
      appCode: "ALREADY_RATED",
    });
    expect(await trpcError(learner.agent.trpc.tutoring.sessions.rate.mutate({ ...rate, rating: 6 }))).toMatchObject({
      status: 400,
      appCode: "VALIDATION_FAILED",
    });
    expect(await learner.agent.trpc.tutoring.teachers.get.query({ teacherId: teacher.user.id })).toMatchObject({
      averageRating: 4,
      ratingsCount: 1,
    });
    expect(await learner.agent.trpc.tutoring.progress.query()).toMatchObject({
      completedSessions: 1,
      totalMinutes: 90,
      averageRating: 4,
    });
    expect((await learner.agent.trpc.tutoring.sessions.past.query({})).items.map((s) => s.id)).toEqual([session.id]);
  });

  it("progress counts months in the learner's time zone over the last 12 months", async () => {
    const { teacher, learner } = await world({ learnerTz: "Asia/Tokyo" });
    // 20:00Z on 31 January is 05:00 on 1 February in Tokyo.
    const bookedAt = new Date("2025-01-30T00:00:00Z");
    const startsAt = new Date("2025-01-31T20:00:00Z");
    await grantCredits(t, learner.user.id, 1, bookedAt);
    const session = await bookSession(
      t.db,
      actorOf(learner),
      { teacherId: teacher.user.id, startsAt, durationMinutes: 60 },
      { now: bookedAt },
    );
    await reportSession(
      t.db,
      actorOf(teacher),
      { sessionId: session.id, message: "ok", comments: "", nextSteps: "" },
      { now: session.endsAt },
    );
    const { learnerProgress } = await import("./progress.ts");

    const progress = await learnerProgress(t.db, learner.user.id, { now: new Date("2025-03-15T00:00:00Z") });

    expect(progress.months).toHaveLength(12);
    expect(progress.months[0]?.month).toBe("2024-04");
    expect(progress.months[11]?.month).toBe("2025-03");
    expect(progress.months.find((m) => m.month === "2025-02")).toEqual({ month: "2025-02", sessions: 1, minutes: 60 });
    expect(progress.months.find((m) => m.month === "2025-01")).toEqual({ month: "2025-01", sessions: 0, minutes: 0 });
  });
});

describe("automatic completion", () => {
  it("completes a booked session after its end plus the grace period, posting pay exactly once however often it runs", async () => {
    const { teacher, learner } = await world({ rate: 3000, currency: "EUR" });
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 60,
    });
    const due = session.endsAt.getTime() + GRACE;

    await autoCompleteSessions(t.db, { now: new Date(due - MINUTE) });
    expect((await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).status).toBe("booked");

    const runs = await Promise.all([
      autoCompleteSessions(t.db, { now: new Date(due + MINUTE) }),
      autoCompleteSessions(t.db, { now: new Date(due + MINUTE) }),
    ]);
    await autoCompleteSessions(t.db, { now: new Date(due + HOUR) });

    expect(runs.reduce((n, r) => n + r.completed, 0)).toBeGreaterThanOrEqual(1);
    expect(await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).toMatchObject({
      status: "completed",
      creditOutcome: "consumed",
      report: null,
    });
    expect(await ledgerOf(session.id, "earnings.post")).toHaveLength(1);
    expect(await ledgerOf(session.id, "credit.consume")).toHaveLength(1);
    expect(await earningsBalance(teacher.user.id, "EUR")).toBe(3000);
    // The teacher can still add the report, once, without moving anything again.
    await teacher.agent.trpc.tutoring.sessions.report.mutate({
      sessionId: session.id,
      message: "Late report",
      comments: "",
      nextSteps: "",
    });
    expect(await ledgerOf(session.id)).toHaveLength(3);
    await expectLedgerSound();
  });
});

describe("reminders", () => {
  const silent = new WorkerLogger(() => () => {});

  it("the worker emails the learner and the teacher in their own language and time zone when a reminder is due", async () => {
    const { teacher, learner } = await world({ learnerTz: "Africa/Cairo", learnerLocale: "ar" });
    await teacher.agent.trpc.tutoring.profile.update.mutate({
      bio: "",
      subjects: [],
      languages: [],
      defaultMeetingUrl: "https://meet.example.com/room-1",
    });
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(50),
    });
    // Make the one-hour reminder due now, then let the worker run it.
    await t.db.execute(
      sql`update graphile_worker._private_jobs set run_at = now() where key = ${`tutoring.reminder:${session.id}:60`}`,
    );
    await runOnce({
      pgPool: t.database.pool,
      logger: silent,
      taskList: createTaskList({
        db: t.db,
        email: createEmailProvider({ EMAIL_FROM: "x@y.z" }, t.logger),
        logger: t.logger,
      }),
    });

    const reminders = await t.db
      .select()
      .from(schema.emailOutbox)
      .where(eq(schema.emailOutbox.template, "session-reminder"));
    expect(reminders.map((r) => r.toAddress).sort()).toEqual([learner.email, teacher.email].sort());
    const toTeacher = reminders.find((r) => r.toAddress === teacher.email);
    expect(toTeacher?.subject).toBe("Reminder: your session with Lena Learner starts in 1 hour");
    expect(toTeacher?.textBody).toContain("https://meet.example.com/room-1");
    expect(toTeacher?.textBody).toContain("(UTC)");
    const toLearner = reminders.find((r) => r.toAddress === learner.email);
    expect(toLearner?.subject).toContain("تذكير");
    expect(toLearner?.textBody).toContain("(Africa/Cairo)");
    // The 24-hour reminder is still pending; the 1-hour one is gone.
    expect((await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`)).map((j) => j.key)).toEqual([
      `tutoring.reminder:${session.id}:1440`,
    ]);
  });

  it("a reminder for a session that moved or was cancelled sends nothing", async () => {
    const { teacher, learner } = await world();
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(50),
    });
    const [job] = await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:60`);
    const oldPayload = job?.payload as Parameters<typeof sendReminder>[1];
    await learner.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: session.id, startsAt: slotIn(70) });
    expect(await sendReminder(t.db, oldPayload)).toEqual({ sent: 0 });

    const [moved] = await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:60`);
    const payload = moved?.payload as Parameters<typeof sendReminder>[1];
    await teacher.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });
    expect(await sendReminder(t.db, payload)).toEqual({ sent: 0 });
    expect(await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`)).toEqual([]);
  });

  it("a booking less than a day ahead gets only the reminders still in the future", async () => {
    const { teacher, learner } = await world();
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(5),
    });
    expect((await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`)).map((j) => j.key)).toEqual([
      `tutoring.reminder:${session.id}:60`,
    ]);
  });
});

describe("calendar feed", () => {
  it("serves the user's upcoming sessions as iCal at a private URL, rotatable; unknown tokens get 404", async () => {
    const teacher = await person(t, "teacher", { name: "Smith, John; PhD" });
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner", { name: "Ada" });
    await grantCredits(t, learner.user.id, 2);
    const kept = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
    });
    const dropped = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(60),
    });
    await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: dropped.id });

    expect(await learner.agent.trpc.tutoring.calendar.get.query()).toBeNull();
    const feed = await learner.agent.trpc.tutoring.calendar.rotate.mutate();
    expect(await learner.agent.trpc.tutoring.calendar.get.query()).toEqual({ createdAt: feed.createdAt });
    const path = new URL(feed.url).pathname;
    expect(path).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const response = await t.agent({ origin: null }).fetch(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const ics = await response.text();
    expect(ics.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain(`UID:${kept.id}@lectern`);
    const stamp = (d: Date) =>
      d
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    expect(ics).toContain(`DTSTART:${stamp(kept.startsAt)}\r\n`);
    expect(ics).toContain(`DTEND:${stamp(kept.endsAt)}\r\n`);
    expect(ics).toContain("SUMMARY:Lectern session with Smith\\, John\\; PhD\r\n");
    expect(ics).not.toContain(dropped.id);
    // The teacher's own feed lists the same session.
    const teacherFeed = await teacher.agent.trpc.tutoring.calendar.rotate.mutate();
    expect(await (await t.agent().fetch(new URL(teacherFeed.url).pathname)).text()).toContain(`UID:${kept.id}@lectern`);

    const rotated = await learner.agent.trpc.tutoring.calendar.rotate.mutate();
    expect(rotated.url).not.toBe(feed.url);
    expect((await t.agent().fetch(path)).status).toBe(404);
    expect((await t.agent().fetch(new URL(rotated.url).pathname)).status).toBe(200);
    expect((await t.agent().fetch("/calendar/not-a-real-token-at-all.ics")).status).toBe(404);
    expect((await t.agent().fetch("/calendar/x.ics")).status).toBe(404);
  });
});
