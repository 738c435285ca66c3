import { z } from "zod";

/**
 * Tutoring policy (DESIGN.md §4). One place: the server enforces these and the apps show them.
 */
export const TUTORING_POLICY = {
  sessionLengths: [30, 45, 60, 90, 120] as const,
  defaultSessionMinutes: 60,
  minBookingNoticeMinutes: 120,
  /** Learner cancel or reschedule at least this long before start returns the credit. */
  freeChangeMinutes: 12 * 60,
  /** The Join button works from this long before start until the end. */
  joinWindowMinutes: 10,
  reminderOffsetsMinutes: [24 * 60, 60] as const,
  /** A reminder this late (worker down, clock moved) is dropped rather than sent; none after the start. */
  reminderStaleMinutes: 30,
  /** A session not reported by the teacher completes on its own this long after its end. */
  autoCompleteGraceMinutes: 6 * 60,
  /** The teacher's report (which completes the session) opens this long before the scheduled end. */
  reportOpensBeforeEndMinutes: 5,
  /** A no-show can be declared this long after the start: the teacher marks the learner absent, the learner the teacher. */
  noShowAfterStartMinutes: 15,
  /** The learner can report that the teacher did not come until this long after the end. */
  teacherAbsentReportWindowMinutes: 24 * 60,
  defaultPackValidityDays: 90,
  /** How far ahead learners can see and book slots. */
  bookingHorizonDays: 60,
  slotStepMinutes: 30,
  /** A credit returned by a teacher's or admin's cancellation stays usable at least this long. */
  returnedCreditMinValidityDays: 14,
  /**
   * The highest hourly rate per currency, in minor units (10,000.00 an hour; ₦10,000,000). The
   * database refuses anything above the largest of these, so pay always fits a safe integer.
   */
  maxHourlyRateMinor: { USD: 1_000_000, GBP: 1_000_000, EUR: 1_000_000, NGN: 1_000_000_000, EGP: 50_000_000 },
} as const;

/**
 * What a session costs in credits of a lot whose credits pay for `lotMinutes` each: a credit pays
 * for a session up to that length, a longer one takes proportionally more (rounded up).
 */
export function sessionCredits(durationMinutes: number, lotMinutes: number): number {
  return Math.ceil(durationMinutes / lotMinutes);
}

export const SessionLength = z.union(TUTORING_POLICY.sessionLengths.map((n) => z.literal(n)));
export type SessionLength = z.infer<typeof SessionLength>;

export const SESSION_STATUSES = ["booked", "completed", "cancelled"] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const CREDIT_OUTCOMES = ["reserved", "consumed", "refunded", "forfeited", "none"] as const;

export const CEFR_LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"] as const;
export const CefrLevel = z.enum(CEFR_LEVELS);

export const TEXT_MAX = 4000;
export const SHORT_TEXT_MAX = 500;

export const CURRENCIES = ["USD", "GBP", "EUR", "NGN", "EGP"] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

export const Id = z.uuid();
export const UserId = z.string().min(1).max(100);
/** A meeting link: https only (it is mailed to both parties and opened from the apps). */
export const MeetingUrl = z.url({ protocol: /^https$/ }).max(500);
