import { TUTORING_POLICY } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { plainRow, runStatement, schema } from "@lectern/db";
import { z } from "zod";
import { addJobs, type JobSpec } from "../../jobs/queue.ts";
import { enqueueEmail } from "../notifications/service.ts";
import { MINUTE_MS } from "./zoned-time.ts";

export const REMINDER_TASK = "tutoring.reminder";

/** One pending job per session and offset: adding it again moves it, removing it cancels it. */
export const reminderJobKey = (sessionId: string, offsetMinutes: number) =>
  `tutoring.reminder:${sessionId}:${offsetMinutes}`;

export const ReminderPayload = z.object({
  sessionId: z.uuid(),
  offsetMinutes: z.number().int().positive(),
  /** the start the reminder was scheduled for: a moved session's old reminder sends nothing */
  startsAt: z.iso.datetime(),
});
export type ReminderPayload = z.infer<typeof ReminderPayload>;

/**
 * (Re)schedules the session's reminders in the caller's transaction, with any `alsoAdd` jobs, in one
 * statement. A reminder whose time has already passed (a booking less than a day ahead) is not
 * scheduled, and any old one is removed. Jobs run on the wall clock, so a past `now` (the demo
 * seed's history) schedules nothing past either.
 */
export async function scheduleReminders(
  tx: DbOrTx,
  session: { id: string; startsAt: Date },
  now: Date,
  alsoAdd: JobSpec[] = [],
) {
  const notBefore = Math.max(now.getTime(), Date.now());
  const jobs: JobSpec[] = [];
  const stale: string[] = [];
  for (const offsetMinutes of TUTORING_POLICY.reminderOffsetsMinutes) {
    const runAt = new Date(session.startsAt.getTime() - offsetMinutes * MINUTE_MS);
    const jobKey = reminderJobKey(session.id, offsetMinutes);
    if (runAt.getTime() > notBefore) {
      const payload: ReminderPayload = {
        sessionId: session.id,
        offsetMinutes,
        startsAt: session.startsAt.toISOString(),
      };
      jobs.push({ task: REMINDER_TASK, payload, runAt, jobKey, maxAttempts: 5 });
    } else {
      stale.push(jobKey);
    }
  }
  await addJobs(tx, [...jobs, ...alsoAdd], stale);
}

export async function removeReminders(tx: DbOrTx, sessionId: string) {
  await addJobs(
    tx,
    [],
    TUTORING_POLICY.reminderOffsetsMinutes.map((offsetMinutes) => reminderJobKey(sessionId, offsetMinutes)),
  );
}

/** "Monday 3 March 2025 at 09:00 (Europe/London)", in the reader's language and zone. */
export function formatWhen(instant: Date, timeZone: string, locale: string) {
  return `${whenFormat(locale === "ar" ? "ar" : "en-GB", timeZone).format(instant)} (${timeZone})`;
}

// Building an Intl.DateTimeFormat costs far more than using one: keep one per language and zone.
const whenFormats = new Map<string, Intl.DateTimeFormat>();
function whenFormat(locale: string, timeZone: string) {
  const key = `${locale} ${timeZone}`;
  let format = whenFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "full", timeStyle: "short" });
    whenFormats.set(key, format);
  }
  return format;
}

/** A person of a session as its emails need them. */
interface Person {
  id: string;
  name: string;
  email: string;
  locale: string;
  timezone: string;
}

const SESSION_ROW = plainRow(schema.tutoringSessions, "s");
const person = (alias: string) =>
  `json_build_object('id', ${alias}.id, 'name', ${alias}.name, 'email', ${alias}.email, 'locale', ${alias}.locale,
    'timezone', ${alias}.timezone)`;
// Read by every session email job (bookings, moves, cancellations, reminders): a named statement.
const SESSION_WITH_PEOPLE = {
  name: "tutoring_session_with_people",
  text: `select ${SESSION_ROW.columns}, ${person("t")} as "teacher", ${person("l")} as "learner"
  from tutoring_sessions s join users t on t.id = s.teacher_id join users l on l.id = s.learner_id
  where s.id = $1`,
};

/** A session with both people's contact details. */
export async function sessionWithPeople(db: DbOrTx, sessionId: string) {
  const { rows } = await runStatement<{ teacher: Person; learner: Person }>(db, SESSION_WITH_PEOPLE, [sessionId]);
  const [row] = rows;
  if (!row) return undefined;
  const { teacher, learner, ...session } = row;
  return { session: SESSION_ROW.read(session), teacher, learner };
}

/**
 * The reminder job: emails the learner and the teacher, unless the session is no longer booked,
 * has moved since the reminder was scheduled, has started, or the reminder is stale (then it sends
 * nothing). At most once: the sent mark is written with the emails, so a re-run after a crash finds it.
 */
export async function sendReminder(db: Db, payload: ReminderPayload, now = new Date()): Promise<{ sent: number }> {
  return db.transaction(async (tx) => {
    const row = await sessionWithPeople(tx, payload.sessionId);
    if (row?.session.status !== "booked") return { sent: 0 };
    if (row.session.startsAt.getTime() !== Date.parse(payload.startsAt)) return { sent: 0 };
    const dueAt = row.session.startsAt.getTime() - payload.offsetMinutes * MINUTE_MS;
    const stale = now.getTime() > dueAt + TUTORING_POLICY.reminderStaleMinutes * MINUTE_MS;
    if (stale || now.getTime() >= row.session.startsAt.getTime()) return { sent: 0 };
    const marked = await tx
      .insert(schema.sessionRemindersSent)
      .values({ sessionId: row.session.id, offsetMinutes: payload.offsetMinutes, startsAt: row.session.startsAt })
      .onConflictDoNothing()
      .returning({ sessionId: schema.sessionRemindersSent.sessionId });
    if (marked.length === 0) return { sent: 0 };
    const { session, teacher, learner } = row;
    for (const [to, other] of [
      [learner, teacher],
      [teacher, learner],
    ] as const) {
      await enqueueEmail(
        tx,
        { userId: to.id, email: to.email, locale: to.locale },
        {
          template: "session-reminder",
          name: to.name,
          withName: other.name,
          when: formatWhen(session.startsAt, to.timezone, to.locale),
          minutesBefore: payload.offsetMinutes,
          ...(session.meetingUrl ? { url: session.meetingUrl } : {}),
        },
      );
    }
    return { sent: 2 };
  });
}
