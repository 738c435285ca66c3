import { z } from "zod";

/**
 * Tutoring policy (DESIGN.md §4). One place: the server enforces these and the apps show them.
 */
export const TUTORING_POLICY = {
  sessionLengths: [30, 45, 60, 90, 120] as const,
  defaultSessionMinutes: 60,
  creditsPerSession: 1,
  minBookingNoticeMinutes: 120,
  /** Learner cancel or reschedule at least this long before start returns the credit. */
  freeChangeMinutes: 12 * 60,
  /** The Join button works from this long before start until the end. */
  joinWindowMinutes: 10,
  reminderOffsetsMinutes: [24 * 60, 60] as const,
  /** A session not reported by the teacher completes on its own this long after its end. */
  autoCompleteGraceMinutes: 6 * 60,
  defaultPackValidityDays: 90,
  /** How far ahead learners can see and book slots. */
  bookingHorizonDays: 60,
  slotStepMinutes: 30,
} as const;

export const SessionLength = z.union(TUTORING_POLICY.sessionLengths.map((n) => z.literal(n)));
export type SessionLength = z.infer<typeof SessionLength>;

export const SESSION_STATUSES = ["booked", "completed", "cancelled"] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const CREDIT_OUTCOMES = ["reserved", "consumed", "refunded", "forfeited", "none"] as const;

export const CEFR_LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"] as const;
export const CefrLevel = z.enum(CEFR_LEVELS);

export const ASSESSMENT_MAX_WORDS = 600;
export const TEXT_MAX = 4000;
export const SHORT_TEXT_MAX = 500;

export const CURRENCIES = ["USD", "GBP", "EUR", "NGN"] as const;
export const Currency = z.enum(CURRENCIES);
export type Currency = z.infer<typeof Currency>;

export const Id = z.uuid();
export const UserId = z.string().min(1).max(100);
export const MeetingUrl = z.url({ protocol: /^https?$/ }).max(500);
