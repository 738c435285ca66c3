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

/** When a booked session completes by itself if the teacher has not reported it. */
export function autoCompleteAt(endsAt: Date): Date {
  return new Date(endsAt.getTime() + TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE_MS);
}
