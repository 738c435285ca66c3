import type { Locale } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { z } from "zod";
import type { JobSpec } from "../../jobs/queue.ts";
import { enqueueEmails } from "../notifications/service.ts";
import { calendarText, escapeText, person, stamp } from "./icalendar.ts";
import { formatWhen, sessionWithPeople } from "./reminders.ts";

export type SessionChange =
  | { kind: "booked" }
  | { kind: "rescheduled"; previousStartsAt: Date }
  | { kind: "cancelled" };

type Row = NonNullable<Awaited<ReturnType<typeof sessionWithPeople>>>;
type Someone = Row["teacher"];

const TITLE: Record<Locale, (other: string) => string> = {
  en: (other) => `Lectern session with ${other}`,
  ar: (other) => `جلسة ليكترن مع ${other}`,
};

/**
 * The invitation attached to the email: same UID as the calendar feed, so the event is updated or
 * removed rather than duplicated; SEQUENCE grows with every change (seconds since the epoch).
 */
export function sessionInvite(row: Row, to: Someone, other: Someone, change: SessionChange, now: Date): string {
  const { session } = row;
  const locale: Locale = to.locale === "ar" ? "ar" : "en";
  const cancelled = change.kind === "cancelled";
  return calendarText(
    [`METHOD:${cancelled ? "CANCEL" : "REQUEST"}`],
    [
      "BEGIN:VEVENT",
      `UID:${session.id}@lectern`,
      `SEQUENCE:${Math.floor(now.getTime() / 1000)}`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(session.startsAt)}`,
      `DTEND:${stamp(session.endsAt)}`,
      `SUMMARY:${escapeText(TITLE[locale](other.name))}`,
      // URL is a URI value (no TEXT escaping); the contract only admits https URLs without line breaks.
      ...(session.meetingUrl ? [`URL:${session.meetingUrl}`, `LOCATION:${escapeText(session.meetingUrl)}`] : []),
      `STATUS:${cancelled ? "CANCELLED" : "CONFIRMED"}`,
      person("ORGANIZER", row.teacher),
      person("ATTENDEE", row.learner, ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED"),
      "END:VEVENT",
    ],
  );
}

/**
 * Emails both the learner and the teacher about a booking, move or cancellation, each in their
 * language and time zone with a calendar invitation; call it in the transaction of the change.
 */
export async function notifySessionChange(
  tx: DbOrTx,
  sessionId: string,
  change: SessionChange,
  now: Date,
  /** the session's times when it changed (a job running later may find it moved since) */
  times?: { startsAt: Date; endsAt: Date },
) {
  const found = await sessionWithPeople(tx, sessionId);
  if (!found) throw new Error(`session ${sessionId} missing`);
  const row = times ? { ...found, session: { ...found.session, ...times } } : found;
  // Emails go out on the wall clock: a booking or move in the past (the demo seed's history) tells no one.
  if (change.kind !== "cancelled" && row.session.endsAt.getTime() <= Date.now()) return;
  const emails = (
    [
      [row.learner, row.teacher],
      [row.teacher, row.learner],
    ] as const
  ).map(([to, other]) => {
    const recipient = { userId: to.id, email: to.email, locale: to.locale };
    const when = formatWhen(row.session.startsAt, to.timezone, to.locale);
    const base = { name: to.name, withName: other.name, when };
    const email =
      change.kind === "booked"
        ? {
            template: "session-booked" as const,
            ...base,
            ...(row.session.meetingUrl ? { url: row.session.meetingUrl } : {}),
          }
        : change.kind === "rescheduled"
          ? {
              template: "session-rescheduled" as const,
              ...base,
              previousWhen: formatWhen(change.previousStartsAt, to.timezone, to.locale),
            }
          : { template: "session-cancelled" as const, ...base };
    return { recipient, email, options: { ics: sessionInvite(row, to, other, change, now) } };
  });
  await enqueueEmails(tx, emails);
}

export const NOTIFY_SESSION_CHANGE_TASK = "tutoring.notifySessionChange";

export const SessionChangePayload = z.object({
  sessionId: z.uuid(),
  change: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("booked") }),
    z.object({ kind: z.literal("rescheduled"), previousStartsAt: z.iso.datetime() }),
    z.object({ kind: z.literal("cancelled") }),
  ]),
  /** when the change was made */
  at: z.iso.datetime(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
});
export type SessionChangePayload = z.infer<typeof SessionChangePayload>;

/**
 * The job that emails both people about a change, for the caller to add in the change's
 * transaction (so the emails exist if and only if the change committed): rendering the emails and
 * invitations then costs the booking nothing. None for a session already over (the demo seed's history).
 */
export function sessionChangeEmailsJob(
  session: { id: string; startsAt: Date; endsAt: Date },
  change: SessionChange,
  now: Date,
): JobSpec[] {
  if (change.kind !== "cancelled" && session.endsAt.getTime() <= Date.now()) return [];
  const payload: SessionChangePayload = {
    sessionId: session.id,
    change:
      change.kind === "rescheduled"
        ? { kind: "rescheduled", previousStartsAt: change.previousStartsAt.toISOString() }
        : { kind: change.kind },
    at: now.toISOString(),
    startsAt: session.startsAt.toISOString(),
    endsAt: session.endsAt.toISOString(),
  };
  return [{ task: NOTIFY_SESSION_CHANGE_TASK, payload }];
}

/**
 * The job's body: writes both emails (outbox rows and their delivery jobs) with a mark of the
 * change in one transaction, so a retried job finds the mark and writes nothing twice.
 */
export async function sendSessionChangeEmails(db: Db, payload: SessionChangePayload): Promise<{ sent: boolean }> {
  return db.transaction(async (tx) => {
    const at = new Date(payload.at);
    const marked = await tx
      .insert(schema.sessionChangeEmailsSent)
      .values({ sessionId: payload.sessionId, change: payload.change.kind, changedAt: at })
      .onConflictDoNothing()
      .returning({ sessionId: schema.sessionChangeEmailsSent.sessionId });
    if (marked.length === 0) return { sent: false };
    const change: SessionChange =
      payload.change.kind === "rescheduled"
        ? { kind: "rescheduled", previousStartsAt: new Date(payload.change.previousStartsAt) }
        : { kind: payload.change.kind };
    await notifySessionChange(tx, payload.sessionId, change, at, {
      startsAt: new Date(payload.startsAt),
      endsAt: new Date(payload.endsAt),
    });
    return { sent: true };
  });
}
