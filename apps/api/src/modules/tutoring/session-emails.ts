import type { Locale } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { createEvent } from "ics";
import { enqueueEmail } from "../notifications/service.ts";
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
  const { value, error } = createEvent({
    productId: "-//Lectern//Tutoring sessions//EN",
    method: cancelled ? "CANCEL" : "REQUEST",
    uid: `${session.id}@lectern`,
    sequence: Math.floor(now.getTime() / 1000),
    start: session.startsAt.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    end: session.endsAt.getTime(),
    endInputType: "utc",
    endOutputType: "utc",
    title: TITLE[locale](other.name),
    ...(session.meetingUrl ? { url: session.meetingUrl, location: session.meetingUrl } : {}),
    status: cancelled ? "CANCELLED" : "CONFIRMED",
    organizer: { name: row.teacher.name, email: row.teacher.email },
    attendees: [{ name: row.learner.name, email: row.learner.email, role: "REQ-PARTICIPANT" }],
  });
  if (error || !value) throw error ?? new Error("calendar invitation could not be built");
  return value;
}

/**
 * Emails both the learner and the teacher about a booking, move or cancellation, each in their
 * language and time zone with a calendar invitation; call it in the transaction of the change.
 */
export async function notifySessionChange(tx: DbOrTx, sessionId: string, change: SessionChange, now: Date) {
  const row = await sessionWithPeople(tx, sessionId);
  if (!row) throw new Error(`session ${sessionId} missing`);
  // Emails go out on the wall clock: a booking or move in the past (the demo seed's history) tells no one.
  if (change.kind !== "cancelled" && row.session.endsAt.getTime() <= Date.now()) return;
  for (const [to, other] of [
    [row.learner, row.teacher],
    [row.teacher, row.learner],
  ] as const) {
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
    await enqueueEmail(tx, recipient, email, { ics: sessionInvite(row, to, other, change, now) });
  }
}
