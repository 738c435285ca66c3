import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { afterAll, describe, expect, it } from "vitest";
import { addJob } from "../../jobs/queue.ts";
import { createTaskList } from "../../jobs/tasks.ts";
import { seedDemoData } from "../../seed.ts";
import { seedDemoTutoring } from "../../seed-tutoring.ts";
import { startFakeSmtp } from "../../testing/smtp.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { startWorker } from "../../worker.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import { REMINDER_TASK, type ReminderPayload } from "./reminders.ts";
import { NOTIFY_SESSION_CHANGE_TASK, SessionChangePayload, sendSessionChangeEmails } from "./session-emails.ts";
import { bookSession } from "./sessions.ts";
import { ALWAYS, grantCredits, jobsWithKeyPrefix, type Person, person, slotIn } from "./testing.ts";

const t = await useTestApp();
/** A database of its own for the demo seed, which takes every teacher and learner it finds. */
const demo = await useTestApp();
const smtp = await startFakeSmtp();
afterAll(() => smtp.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
const silent = new WorkerLogger(() => () => {});

/** One pass of the worker over every due job, email going to the fake SMTP server or to the outbox only. */
async function runJobsOnce(smtpUrl?: string) {
  const email = createEmailProvider({ SMTP_URL: smtpUrl, EMAIL_FROM: t.env.EMAIL_FROM }, t.logger);
  await runOnce({
    pgPool: t.database.pool,
    logger: silent,
    taskList: createTaskList({ db: t.db, email, logger: t.logger }),
  });
}

/** A teacher in New York writing English and a learner in Cairo reading Arabic. */
async function world() {
  const teacher = await person(t, "teacher", { name: "Tariq Teacher", timezone: "America/New_York" });
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  const learner = await person(t, "learner", { name: "Layla Learner", timezone: "Africa/Cairo", locale: "ar" });
  await grantCredits(t, learner.user.id, 3);
  return { teacher, learner };
}

const emailsTo = (who: Person[], template: string) =>
  t.db
    .select()
    .from(schema.emailOutbox)
    .where(
      and(
        inArray(
          schema.emailOutbox.toAddress,
          who.map((p) => p.email),
        ),
        eq(schema.emailOutbox.template, template),
      ),
    )
    .orderBy(asc(schema.emailOutbox.createdAt));

const icsStamp = (d: Date) => `${d.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
const timeIn = (d: Date, timeZone: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZone, timeStyle: "short" }).format(d);

/** Both parties got one email each, in their language and zone, with an invitation for `startsAt`. */
async function expectBothTold(
  { teacher, learner }: { teacher: Person; learner: Person },
  template: string,
  startsAt: Date,
  method: "REQUEST" | "CANCEL",
) {
  const rows = await emailsTo([teacher, learner], template);
  expect(rows.map((r) => r.toAddress).sort()).toEqual([learner.email, teacher.email].sort());
  const toTeacher = rows.find((r) => r.toAddress === teacher.email);
  const toLearner = rows.find((r) => r.toAddress === learner.email);
  expect(toTeacher?.subject).toContain("Layla Learner");
  expect(toTeacher?.textBody).toContain("(America/New_York)");
  expect(toTeacher?.textBody).toContain(timeIn(startsAt, "America/New_York", "en-GB"));
  expect(toLearner?.subject).toContain("Tariq Teacher");
  expect(toLearner?.subject).toMatch(/[\u0600-\u06FF]/); // Arabic
  expect(toLearner?.textBody).toContain("(Africa/Cairo)");
  expect(toLearner?.textBody).toContain(timeIn(startsAt, "Africa/Cairo", "ar"));
  for (const row of rows) {
    const ics = row.ics ?? "";
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain(`METHOD:${method}`);
    expect(ics).toContain(`DTSTART:${icsStamp(startsAt)}`);
    expect(ics).toContain(`DTEND:${icsStamp(new Date(startsAt.getTime() + HOUR))}`);
    expect(ics).toMatch(/UID:[0-9a-f-]{36}@lectern/);
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).toContain(`ORGANIZER;CN="Tariq Teacher":mailto:${teacher.email}\r\n`);
    expect(unfolded).toContain(
      `ATTENDEE;CN="Layla Learner";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:${learner.email}\r\n`,
    );
    expect(ics).toMatch(/END:VEVENT\r\nEND:VCALENDAR\r\n$/);
    // Folded at 75 octets, every line ending in CRLF.
    for (const line of ics.split("\r\n")) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
  }
  return rows;
}

describe("session emails to both parties", () => {
  it("booking, moving and cancelling each email the learner and the teacher, in their language and zone, with an invitation", async () => {
    const w = await world();
    const startsAt = slotIn(48);
    const session = await w.learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: w.teacher.user.id,
      startsAt,
    });
    // The booking's emails are written by the job it committed.
    await runJobsOnce();
    const booked = await expectBothTold(w, "session-booked", startsAt, "REQUEST");
    expect(booked[0]?.ics).toContain(`UID:${session.id}@lectern`);

    const movedTo = slotIn(72);
    await w.learner.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: session.id, startsAt: movedTo });
    const moved = await expectBothTold(w, "session-rescheduled", movedTo, "REQUEST");
    // The old time is named too, in each reader's zone.
    expect(moved.find((r) => r.toAddress === w.teacher.email)?.textBody).toContain(
      timeIn(startsAt, "America/New_York", "en-GB"),
    );

    await w.learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });
    const cancelled = await expectBothTold(w, "session-cancelled", movedTo, "CANCEL");
    for (const row of cancelled) expect(row.ics).toContain("STATUS:CANCELLED");
  });

  it("sent over SMTP, the email carries the invitation as a text/calendar part", async () => {
    const w = await world();
    const startsAt = slotIn(30);
    await w.learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: w.teacher.user.id, startsAt });
    await runJobsOnce(smtp.url);
    const mail = smtp.received.find((m) => m.to.includes(w.teacher.email));
    expect(mail?.subject).toContain("Session booked");
    expect(mail?.raw).toMatch(/Content-Type: text\/calendar; ?charset=utf-8; ?method=REQUEST/i);
    const calendar = decodedParts(mail?.raw ?? "").find((p) => p.includes("BEGIN:VCALENDAR"));
    expect(calendar).toContain(`DTSTART:${icsStamp(startsAt)}`);
    const [row] = await emailsTo([w.teacher], "session-booked");
    expect(row?.status).toBe("sent");
  });
});

describe("booking emails are written by a job committed with the booking", () => {
  it("the booking adds one job and no email; the job writes both, and run again (a retry) writes nothing more", async () => {
    const w = await world();
    const startsAt = slotIn(50);
    const session = await w.learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: w.teacher.user.id,
      startsAt,
    });
    expect(await emailsTo([w.teacher, w.learner], "session-booked")).toEqual([]);
    const { rows: jobs } = await t.db.execute<{ payload: SessionChangePayload }>(
      sql`select p.payload from graphile_worker._private_jobs p join graphile_worker._private_tasks k on k.id = p.task_id
        where k.identifier = ${NOTIFY_SESSION_CHANGE_TASK} and p.payload->>'sessionId' = ${session.id}`,
    );
    expect(jobs).toHaveLength(1);
    const payload = SessionChangePayload.parse(jobs[0]?.payload);
    await runJobsOnce();
    await expectBothTold(w, "session-booked", startsAt, "REQUEST");
    expect(await sendSessionChangeEmails(t.db, payload)).toEqual({ sent: false });
    expect(await emailsTo([w.teacher, w.learner], "session-booked")).toHaveLength(2);
  });

  it("a booking that fails adds no emails job", async () => {
    const w = await world();
    const startsAt = slotIn(52);
    await w.learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: w.teacher.user.id, startsAt });
    const before = await notifyJobs();
    await expect(
      w.learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: w.teacher.user.id, startsAt }),
    ).rejects.toThrow();
    expect(await notifyJobs()).toBe(before);
  });
});

const notifyJobs = async () =>
  (
    await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker._private_jobs p
        join graphile_worker._private_tasks k on k.id = p.task_id where k.identifier = ${NOTIFY_SESSION_CHANGE_TASK}`,
    )
  ).rows[0]?.n ?? 0;

/** The bodies of a raw MIME message's parts, base64 or quoted-printable decoded. */
function decodedParts(raw: string): string[] {
  return raw.split(/\r?\n--/).map((part) => {
    const [head = "", ...rest] = part.split(/\r?\n\r?\n/);
    const body = rest.join("\n\n");
    if (/Content-Transfer-Encoding: base64/i.test(head))
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    if (/Content-Transfer-Encoding: quoted-printable/i.test(head))
      return body
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return body;
  });
}

const reminderEmails = (sessionId: string) =>
  t.db.execute<{ n: number }>(
    sql`select count(*)::int as n from email_outbox o where o.template = 'session-reminder'
      and o.user_id in (select unnest(array[s.learner_id, s.teacher_id]) from tutoring_sessions s where s.id = ${sessionId})`,
  );
const reminderCount = async (sessionId: string) => (await reminderEmails(sessionId)).rows[0]?.n ?? 0;

/**
 * A session booked with the clock moved back, starting about `startsInMinutes` from now: on the
 * slot grid before (floor) or after (ceil) that instant.
 */
async function sessionStartingIn(startsInMinutes: number, round: "floor" | "ceil") {
  const w = await world();
  const startsAt = new Date(Math[round]((Date.now() + startsInMinutes * MINUTE) / STEP) * STEP);
  const bookedAt = new Date(startsAt.getTime() - 3 * HOUR);
  const session = await bookSession(
    t.db,
    { id: w.learner.user.id, role: "learner" },
    { teacherId: w.teacher.user.id, startsAt, durationMinutes: 60 },
    { now: bookedAt },
  );
  return { ...w, session };
}

/** A reminder job due now, as if it had been scheduled before (the worker was down meanwhile). */
const queueReminder = (session: { id: string; startsAt: Date }, offsetMinutes: number) => {
  const payload: ReminderPayload = { sessionId: session.id, offsetMinutes, startsAt: session.startsAt.toISOString() };
  return addJob(t.db, REMINDER_TASK, payload);
};

describe("reminders are timely and sent at most once", () => {
  it("a session that has started gets no reminder", async () => {
    const { session } = await sessionStartingIn(-10, "floor");
    await queueReminder(session, 60);
    await runJobsOnce();
    expect(await reminderCount(session.id)).toBe(0);
  });

  it("a reminder whose send time is longer ago than the staleness limit is dropped; a slightly late one still goes", async () => {
    const stale = await sessionStartingIn(24 * 60 - TUTORING_POLICY.reminderStaleMinutes - 30, "floor");
    await queueReminder(stale.session, 24 * 60);
    const late = await sessionStartingIn(24 * 60 - 10, "ceil");
    await queueReminder(late.session, 24 * 60);
    await runJobsOnce();
    expect(await reminderCount(stale.session.id)).toBe(0);
    expect(await reminderCount(late.session.id)).toBe(2);
  });

  it("a reminder job run again (the worker died before finishing it) sends nothing the second time", async () => {
    const { session } = await sessionStartingIn(50, "ceil");
    await queueReminder(session, 60);
    await runJobsOnce();
    expect(await reminderCount(session.id)).toBe(2);
    await queueReminder(session, 60); // the same job, run again
    await runJobsOnce();
    expect(await reminderCount(session.id)).toBe(2);
  });

  it("the demo seed, run with the worker going as in `pnpm dev`, leaves no reminder or booking email for sessions in the past", async () => {
    const worker = await startWorker({ env: demo.env, database: demo.database, logger: demo.logger });
    try {
      await seedDemoData(demo.db, demo.auth);
      expect(await seedDemoTutoring(demo.db)).toEqual({ seeded: true });
    } finally {
      await worker.stop();
    }
    const past = await demo.db
      .select({ id: schema.tutoringSessions.id })
      .from(schema.tutoringSessions)
      .where(lt(schema.tutoringSessions.endsAt, new Date()));
    expect(past.length).toBeGreaterThan(0);
    for (const { id } of past) expect(await jobsWithKeyPrefix(demo, `tutoring.reminder:${id}:`)).toEqual([]);
    // Upcoming sessions are a day or more ahead: no reminder is due yet, so any would be a past one's.
    const emails = await demo.db.select().from(schema.emailOutbox);
    expect(emails.filter((e) => e.template === "session-reminder")).toEqual([]);
    const pastIds = past.map((p) => p.id);
    expect(emails.filter((e) => pastIds.some((id) => e.ics?.includes(`UID:${id}@lectern`)))).toEqual([]);
  });
});
