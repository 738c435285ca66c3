import { TUTORING_POLICY } from "@lectern/api-contract";
import { MINUTE_MS } from "./zoned-time.ts";

/** Who acts on a session, as far as the credit rules care. */
export type Party = "learner" | "teacher" | "admin";

export type CreditOutcome = "reserved" | "consumed" | "refunded" | "forfeited" | "none";

/** The last moment a learner may cancel or reschedule for free. */
export function freeChangeDeadline(startsAt: Date): Date {
  return new Date(startsAt.getTime() - TUTORING_POLICY.freeChangeMinutes * MINUTE_MS);
}

export function withinFreeChangeWindow(startsAt: Date, now: Date): boolean {
  return now.getTime() <= freeChangeDeadline(startsAt).getTime();
}

/**
 * What a cancellation now does to the session's credit: a learner's early cancellation and any
 * teacher or admin cancellation return it; a learner's late one forfeits it. A session booked
 * without a credit stays without one.
 */
export function cancellationOutcome(
  session: { creditOutcome: CreditOutcome; startsAt: Date },
  by: Party,
  now: Date,
): "refunded" | "forfeited" | "none" {
  if (session.creditOutcome !== "reserved") return "none";
  if (by !== "learner") return "refunded";
  return withinFreeChangeWindow(session.startsAt, now) ? "refunded" : "forfeited";
}

/** From when until when the Join button works. */
export function joinWindow(session: { startsAt: Date; endsAt: Date }) {
  return {
    joinableFrom: new Date(session.startsAt.getTime() - TUTORING_POLICY.joinWindowMinutes * MINUTE_MS),
    joinableUntil: session.endsAt,
  };
}

/** The teacher's pay for a session: hourly rate × minutes / 60, rounded half up to a whole minor unit. */
export function earningsMinor(hourlyRateMinor: number, durationMinutes: number): number {
  const numerator = BigInt(hourlyRateMinor) * BigInt(durationMinutes);
  const amount = (numerator * 2n + 60n) / 120n;
  return Number(amount);
}

/**
 * The minutes a teacher is paid for: the session's length, but never more than the learner's
 * credits paid for (an admin may lengthen a booked session without taking more credits). A session
 * booked without a credit (admin override) is paid in full.
 */
export function payableMinutes(session: { durationMinutes: number; paidMinutes: number | null }): number {
  return session.paidMinutes === null
    ? session.durationMinutes
    : Math.min(session.durationMinutes, session.paidMinutes);
}

/** When a booked session completes by itself if the teacher has not reported it. */
export function autoCompleteAt(endsAt: Date): Date {
  return new Date(endsAt.getTime() + TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE_MS);
}

/** From when the teacher's report (which completes the session) is accepted. */
export function reportOpensAt(endsAt: Date): Date {
  return new Date(endsAt.getTime() - TUTORING_POLICY.reportOpensBeforeEndMinutes * MINUTE_MS);
}

/** From when either side may declare the other absent. */
export function noShowFrom(startsAt: Date): Date {
  return new Date(startsAt.getTime() + TUTORING_POLICY.noShowAfterStartMinutes * MINUTE_MS);
}

/** Until when the learner may report that the teacher did not come. */
export function teacherAbsentReportUntil(endsAt: Date): Date {
  return new Date(endsAt.getTime() + TUTORING_POLICY.teacherAbsentReportWindowMinutes * MINUTE_MS);
}
