import { z } from "zod";
import { PAGE_MAX, PAGE_SIZE_MAX } from "./admin.ts";
import { dateTime } from "./outputs.ts";
import {
  Id,
  MeetingUrl,
  SessionLength,
  SessionStatus,
  SHORT_TEXT_MAX,
  TEXT_MAX,
  TUTORING_POLICY,
  UserId,
} from "./tutoring.ts";

/**
 * Inputs of the tutoring session procedures (tutoring.* and admin.sessions.*). Instants are Dates
 * (UTC on the wire through superjson); the apps show them in the viewer's time zone.
 */

const Page = {
  page: z.number().int().min(1).max(PAGE_MAX).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
};

export const ListPageInput = z.object(Page);
export type ListPageInput = z.infer<typeof ListPageInput>;

const Duration = SessionLength.default(TUTORING_POLICY.defaultSessionMinutes as SessionLength);

/** Minutes from local midnight in the teacher's own time zone. */
const MinuteOfDay = z
  .number()
  .int()
  .min(0)
  .max(24 * 60);

const minuteRange = <T extends { startMinute: number; endMinute: number }>(v: T) => v.startMinute < v.endMinute;
const RANGE_MESSAGE = { message: "The start must be before the end", path: ["endMinute"] };

// Directory

export const TeacherDirectoryInput = z.object({
  query: z.string().trim().max(200).default(""),
  subject: z.string().trim().min(1).max(50).optional(),
  language: z.string().trim().min(1).max(50).optional(),
  ...Page,
  pageSize: z.number().int().min(1).max(50).default(20),
});
export type TeacherDirectoryInput = z.infer<typeof TeacherDirectoryInput>;

export const TeacherIdInput = z.object({ teacherId: UserId });

/** How many days of slots one call may ask for. */
export const SLOTS_RANGE_MAX_DAYS = 31;

export const TeacherSlotsInput = z
  .object({ teacherId: UserId, from: dateTime(), to: dateTime(), durationMinutes: Duration })
  .refine((v) => v.from < v.to, { message: "`from` must be before `to`", path: ["to"] })
  .refine((v) => v.to.getTime() - v.from.getTime() <= SLOTS_RANGE_MAX_DAYS * 24 * 60 * 60 * 1000, {
    message: `At most ${SLOTS_RANGE_MAX_DAYS} days at a time`,
    path: ["to"],
  });
export type TeacherSlotsInput = z.infer<typeof TeacherSlotsInput>;

// Teacher: availability and profile

export const AvailabilityRuleInput = z
  .object({ weekday: z.number().int().min(0).max(6), startMinute: MinuteOfDay, endMinute: MinuteOfDay })
  .refine(minuteRange, RANGE_MESSAGE);
export type AvailabilityRuleInput = z.infer<typeof AvailabilityRuleInput>;

export const SetWeeklyAvailabilityInput = z.object({ rules: z.array(AvailabilityRuleInput).max(100) });
export type SetWeeklyAvailabilityInput = z.infer<typeof SetWeeklyAvailabilityInput>;

export const AVAILABILITY_OVERRIDE_KINDS = ["off", "extra"] as const;

/** Time off (`off`; the whole day is 0–1440) or extra hours (`extra`) on one date in the teacher's zone. */
export const AddAvailabilityOverrideInput = z
  .object({
    date: z.iso.date(),
    kind: z.enum(AVAILABILITY_OVERRIDE_KINDS),
    startMinute: MinuteOfDay.default(0),
    endMinute: MinuteOfDay.default(24 * 60),
  })
  .refine(minuteRange, RANGE_MESSAGE);
export type AddAvailabilityOverrideInput = z.infer<typeof AddAvailabilityOverrideInput>;

export const AvailabilityOverrideIdInput = z.object({ overrideId: Id });

const Tag = z.string().trim().min(1).max(50);

export const UpdateTeacherProfileInput = z.object({
  bio: z.string().trim().max(TEXT_MAX),
  subjects: z.array(Tag).max(20),
  languages: z.array(Tag).max(20),
  defaultMeetingUrl: MeetingUrl.nullable(),
});
export type UpdateTeacherProfileInput = z.infer<typeof UpdateTeacherProfileInput>;

// Sessions

/**
 * Strict: a learner cannot pass a meeting link (it would become the link in the teacher's emails);
 * the session takes the teacher's default, and only the teacher or an admin changes it.
 */
export const BookSessionInput = z.strictObject({
  teacherId: UserId,
  startsAt: dateTime(),
  durationMinutes: Duration,
});
export type BookSessionInput = z.infer<typeof BookSessionInput>;

export const SessionIdInput = z.object({ sessionId: Id });

export const RescheduleSessionInput = z.object({ sessionId: Id, startsAt: z.date() });
export type RescheduleSessionInput = z.infer<typeof RescheduleSessionInput>;

export const CancelSessionInput = z.object({
  sessionId: Id,
  reason: z.string().trim().max(SHORT_TEXT_MAX).optional(),
});
export type CancelSessionInput = z.infer<typeof CancelSessionInput>;

export const SessionReportInput = z.object({
  sessionId: Id,
  message: z.string().trim().min(1, "Required").max(TEXT_MAX),
  comments: z.string().trim().max(TEXT_MAX).default(""),
  nextSteps: z.string().trim().max(TEXT_MAX).default(""),
});
export type SessionReportInput = z.infer<typeof SessionReportInput>;

export const RateSessionInput = z.object({
  sessionId: Id,
  rating: z.number().int().min(1).max(5),
  comment: z.string().trim().max(TEXT_MAX).optional(),
});
export type RateSessionInput = z.infer<typeof RateSessionInput>;

export const SetMeetingUrlInput = z.object({ sessionId: Id, meetingUrl: MeetingUrl.nullable() });
export type SetMeetingUrlInput = z.infer<typeof SetMeetingUrlInput>;

export const EarningsInput = z
  .object({ from: z.date().optional(), to: z.date().optional(), ...Page })
  .refine((v) => !v.from || !v.to || v.from < v.to, { message: "`from` must be before `to`", path: ["to"] });
export type EarningsInput = z.infer<typeof EarningsInput>;

// Admin

export const AdminListSessionsInput = z.object({
  teacherId: UserId.optional(),
  learnerId: UserId.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  status: SessionStatus.optional(),
  /** names, emails and notes */
  query: z.string().trim().max(200).default(""),
  ...Page,
});
export type AdminListSessionsInput = z.infer<typeof AdminListSessionsInput>;

export const AdminCreateSessionInput = z
  .object({
    learnerId: UserId,
    teacherId: UserId,
    startsAt: z.date(),
    durationMinutes: Duration,
    meetingUrl: MeetingUrl.optional(),
    notes: z.string().trim().max(TEXT_MAX).optional(),
    /** Book without taking a credit; needs a written reason (audited). */
    overrideCredit: z.boolean().default(false),
    reason: z.string().trim().max(SHORT_TEXT_MAX).optional(),
  })
  .refine((v) => !v.overrideCredit || (v.reason !== undefined && v.reason.length > 0), {
    message: "A reason is required to book without a credit",
    path: ["reason"],
  });
export type AdminCreateSessionInput = z.infer<typeof AdminCreateSessionInput>;

export const AdminUpdateSessionInput = z.object({
  sessionId: Id,
  startsAt: z.date().optional(),
  durationMinutes: SessionLength.optional(),
  teacherId: UserId.optional(),
  meetingUrl: MeetingUrl.nullable().optional(),
  notes: z.string().trim().max(TEXT_MAX).nullable().optional(),
});
export type AdminUpdateSessionInput = z.infer<typeof AdminUpdateSessionInput>;

export const AdminCancelSessionInput = z.object({
  sessionId: Id,
  reason: z.string().trim().min(1, "Required").max(SHORT_TEXT_MAX),
});
export type AdminCancelSessionInput = z.infer<typeof AdminCancelSessionInput>;

export const AdminDeleteSessionInput = z.object({
  sessionId: Id,
  reason: z.string().trim().max(SHORT_TEXT_MAX).optional(),
});
export type AdminDeleteSessionInput = z.infer<typeof AdminDeleteSessionInput>;

// No-shows, disputes and reversals

/** The learner says the teacher did not come; an optional note for the admin who resolves it. */
export const ReportTeacherAbsentInput = z.object({
  sessionId: Id,
  note: z.string().trim().max(SHORT_TEXT_MAX).optional(),
});
export type ReportTeacherAbsentInput = z.infer<typeof ReportTeacherAbsentInput>;

export const DISPUTE_RESOLUTIONS = ["refund", "complete"] as const;

export const AdminListDisputesInput = z.object({
  /** open: waiting for an admin; resolved: already decided */
  state: z.enum(["open", "resolved"]).default("open"),
  ...Page,
});
export type AdminListDisputesInput = z.infer<typeof AdminListDisputesInput>;

/** refund: the learner gets the credit back; complete: the session counts and the teacher is paid. */
export const AdminResolveDisputeInput = z.object({
  sessionId: Id,
  resolution: z.enum(DISPUTE_RESOLUTIONS),
  note: z.string().trim().min(1, "Required").max(SHORT_TEXT_MAX),
});
export type AdminResolveDisputeInput = z.infer<typeof AdminResolveDisputeInput>;

/** Undoes a completed session: the learner's credit comes back, the teacher's pay is taken back. */
export const AdminReverseSessionInput = z.object({
  sessionId: Id,
  reason: z.string().trim().min(1, "Required").max(SHORT_TEXT_MAX),
});
export type AdminReverseSessionInput = z.infer<typeof AdminReverseSessionInput>;

// Pricing

/** What booking a session of this length would cost the caller (learner) in credits. */
export const SessionCostInput = z.object({ durationMinutes: Duration });
export type SessionCostInput = z.infer<typeof SessionCostInput>;

/** The same, for the learner an admin is booking for. */
export const AdminSessionCostInput = z.object({ learnerId: UserId, durationMinutes: Duration });
export type AdminSessionCostInput = z.infer<typeof AdminSessionCostInput>;
