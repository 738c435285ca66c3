import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { ledgerAccounts } from "./ledger.ts";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

/** A teacher's public profile and pay; the hourly rate is set by an admin and snapshotted per booking. */
export const teacherProfiles = pgTable(
  "teacher_profiles",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    bio: text("bio").notNull().default(""),
    subjects: text("subjects").array().notNull().default(sql`'{}'::text[]`),
    languages: text("languages").array().notNull().default(sql`'{}'::text[]`),
    hourlyRateMinor: bigint("hourly_rate_minor", { mode: "number" }).notNull().default(0),
    rateCurrency: text("rate_currency").notNull().default("USD"),
    defaultMeetingUrl: text("default_meeting_url"),
    /** rated sessions and the sum of their ratings, kept by the rating transaction (the directory reads them) */
    ratingCount: integer("rating_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check(
      "teacher_profiles_rating_stats",
      sql`${t.ratingCount} >= 0 and ${t.ratingSum} between ${t.ratingCount} and 5 * ${t.ratingCount}`,
    ),
    check("teacher_profiles_rate_non_negative", sql`${t.hourlyRateMinor} >= 0`),
    // The highest per-currency maximum (TUTORING_POLICY.maxHourlyRateMinor): pay always fits a safe integer.
    check("teacher_profiles_rate_ceiling", sql`${t.hourlyRateMinor} <= 1000000000`),
  ],
);

/** Weekly recurring hours in the teacher's own time zone (minutes from local midnight). */
export const availabilityRules = pgTable(
  "availability_rules",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    teacherId: text("teacher_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** 0 = Sunday … 6 = Saturday */
    weekday: smallint("weekday").notNull(),
    startMinute: integer("start_minute").notNull(),
    endMinute: integer("end_minute").notNull(),
  },
  (t) => [
    check("availability_rules_weekday", sql`${t.weekday} between 0 and 6`),
    check(
      "availability_rules_range",
      sql`0 <= ${t.startMinute} and ${t.startMinute} < ${t.endMinute} and ${t.endMinute} <= 1440`,
    ),
    index("availability_rules_teacher_idx").on(t.teacherId),
  ],
);

export const overrideKind = pgEnum("availability_override_kind", ["off", "extra"]);

/** Date exceptions in the teacher's time zone: time off (a range, or the whole day) or extra hours. */
export const availabilityOverrides = pgTable(
  "availability_overrides",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    teacherId: text("teacher_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    kind: overrideKind("kind").notNull(),
    startMinute: integer("start_minute").notNull(),
    endMinute: integer("end_minute").notNull(),
  },
  (t) => [
    check(
      "availability_overrides_range",
      sql`0 <= ${t.startMinute} and ${t.startMinute} < ${t.endMinute} and ${t.endMinute} <= 1440`,
    ),
    index("availability_overrides_teacher_date_idx").on(t.teacherId, t.date),
  ],
);

/** What admins sell or grant: N sessions, valid for some days, priced per currency. */
export const creditPacks = pgTable(
  "credit_packs",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    name: text("name").notNull(),
    sessions: integer("sessions").notNull(),
    sessionMinutes: integer("session_minutes").notNull().default(60),
    validityDays: integer("validity_days").notNull().default(90),
    /** { "USD": 9900, "NGN": 4500000 }: minor units per currency */
    prices: jsonb("prices").$type<Record<string, number>>().notNull().default({}),
    active: boolean("active").notNull().default(true),
    ...timestamps,
  },
  (t) => [
    check("credit_packs_sessions_positive", sql`${t.sessions} > 0`),
    check("credit_packs_validity_positive", sql`${t.validityDays} > 0`),
    check("credit_packs_session_minutes_positive", sql`${t.sessionMinutes} > 0`),
  ],
);

/** One grant or purchase of credits: its own ledger account, so balances show per pack with expiry. */
export const creditLots = pgTable(
  "credit_lots",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    learnerId: text("learner_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    packId: uuid("pack_id").references(() => creditPacks.id, { onDelete: "set null" }),
    accountId: uuid("account_id")
      .notNull()
      .unique()
      .references(() => ledgerAccounts.id, { onDelete: "restrict" }),
    sessions: integer("sessions").notNull(),
    /** the pack's session length at grant time: one credit of this lot pays for up to this many minutes */
    sessionMinutes: integer("session_minutes").notNull().default(60),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** set once the expiry job has moved what was left out of the lot */
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    grantedBy: text("granted_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("credit_lots_learner_idx").on(t.learnerId, t.expiresAt),
    check("credit_lots_session_minutes_positive", sql`${t.sessionMinutes} > 0`),
  ],
);

export const sessionStatus = pgEnum("tutoring_session_status", ["booked", "completed", "cancelled"]);
export const creditOutcome = pgEnum("tutoring_credit_outcome", [
  "reserved",
  "consumed",
  "refunded",
  "forfeited",
  "none",
]);

/**
 * A 1:1 session. Overlaps per teacher and per learner among non-cancelled sessions are refused by
 * exclusion constraints (see the migration), not by code.
 */
export const tutoringSessions = pgTable(
  "tutoring_sessions",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    teacherId: text("teacher_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    learnerId: text("learner_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    status: sessionStatus("status").notNull().default("booked"),
    meetingUrl: text("meeting_url"),
    notes: text("notes"),
    /** pay snapshotted at booking */
    hourlyRateMinor: bigint("hourly_rate_minor", { mode: "number" }).notNull(),
    rateCurrency: text("rate_currency").notNull(),
    /** the lot the credit was reserved from; null when an admin booked without a credit */
    creditLotId: uuid("credit_lot_id").references(() => creditLots.id, { onDelete: "restrict" }),
    creditOutcome: creditOutcome("credit_outcome").notNull(),
    /** credits reserved from that lot (0 without a credit) */
    credits: integer("credits").notNull().default(1),
    /** minutes those credits pay for (credits × the lot's session length); null when booked without a credit */
    paidMinutes: integer("paid_minutes"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    cancelledBy: text("cancelled_by").references(() => users.id, { onDelete: "set null" }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    cancelReason: text("cancel_reason"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    reportMessage: text("report_message"),
    reportComments: text("report_comments"),
    reportNextSteps: text("report_next_steps"),
    rating: smallint("rating"),
    ratingComment: text("rating_comment"),
    ratedAt: timestamp("rated_at", { withTimezone: true }),
    /** set when the teacher marked the learner absent (the session completed as a no-show) */
    learnerAbsentAt: timestamp("learner_absent_at", { withTimezone: true }),
    /** the learner's "teacher didn't come": an open dispute until an admin resolves it */
    teacherAbsentReportedAt: timestamp("teacher_absent_reported_at", { withTimezone: true }),
    teacherAbsentNote: text("teacher_absent_note"),
    disputeResolution: text("dispute_resolution").$type<"refund" | "complete">(),
    disputeResolvedAt: timestamp("dispute_resolved_at", { withTimezone: true }),
    disputeResolvedBy: text("dispute_resolved_by").references(() => users.id, { onDelete: "set null" }),
    disputeNote: text("dispute_note"),
    /** an admin undid the completion (reversing ledger postings) */
    reversedAt: timestamp("reversed_at", { withTimezone: true }),
    reversedBy: text("reversed_by").references(() => users.id, { onDelete: "set null" }),
    reversalReason: text("reversal_reason"),
    ...timestamps,
  },
  (t) => [
    check("tutoring_sessions_time_order", sql`${t.startsAt} < ${t.endsAt}`),
    check(
      "tutoring_sessions_dispute_resolution",
      sql`${t.disputeResolution} is null or ${t.disputeResolution} in ('refund', 'complete')`,
    ),
    check(
      "tutoring_sessions_dispute_resolved",
      sql`(${t.disputeResolvedAt} is null) = (${t.disputeResolution} is null) and (${t.disputeResolvedAt} is null or ${t.teacherAbsentReportedAt} is not null)`,
    ),
    check("tutoring_sessions_reversal_reason", sql`${t.reversedAt} is null or ${t.reversalReason} is not null`),
    index("tutoring_sessions_open_dispute_idx")
      .on(t.teacherAbsentReportedAt)
      .where(sql`${t.teacherAbsentReportedAt} is not null and ${t.disputeResolvedAt} is null`),
    check("tutoring_sessions_rating_range", sql`${t.rating} is null or ${t.rating} between 1 and 5`),
    check("tutoring_sessions_not_self", sql`${t.teacherId} <> ${t.learnerId}`),
    check("tutoring_sessions_credits_non_negative", sql`${t.credits} >= 0`),
    check("tutoring_sessions_paid_minutes_positive", sql`${t.paidMinutes} is null or ${t.paidMinutes} > 0`),
    check("tutoring_sessions_rate_ceiling", sql`${t.hourlyRateMinor} between 0 and 1000000000`),
    index("tutoring_sessions_teacher_start_idx").on(t.teacherId, t.startsAt),
    index("tutoring_sessions_learner_start_idx").on(t.learnerId, t.startsAt),
    index("tutoring_sessions_status_end_idx").on(t.status, t.endsAt),
    // "My upcoming sessions" for a learner or teacher among 100,000s: booked rows only.
    index("tutoring_sessions_learner_booked_idx").on(t.learnerId, t.startsAt).where(sql`${t.status} = 'booked'`),
    index("tutoring_sessions_teacher_booked_idx").on(t.teacherId, t.startsAt).where(sql`${t.status} = 'booked'`),
    // The credits page: a lot's sessions (reserved credits) without a scan.
    index("tutoring_sessions_credit_lot_idx").on(t.creditLotId).where(sql`${t.creditLotId} is not null`),
    // The admin's list of every session, latest first, read in index order.
    index("tutoring_sessions_start_idx").on(t.startsAt.desc().nullsFirst(), t.id),
    index("tutoring_sessions_resolved_dispute_idx")
      .on(t.disputeResolvedAt.desc().nullsFirst(), t.id)
      .where(sql`${t.disputeResolvedAt} is not null`),
  ],
);

/** The learner's onboarding answers; readable by the learner, their teachers and admins. */
export const onboardingAnswers = pgTable("onboarding_answers", {
  learnerId: text("learner_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  timezone: text("timezone").notNull(),
  goals: text("goals").notNull().default(""),
  level: text("level").notNull(),
  /** skill → priority 1–5 */
  skillPriorities: jsonb("skill_priorities").$type<Record<string, number>>().notNull().default({}),
  availability: text("availability").notNull().default(""),
  preferredFormat: text("preferred_format").notNull(),
  notes: text("notes").notNull().default(""),
  reviewedBy: text("reviewed_by").references(() => users.id, { onDelete: "set null" }),
  reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
  ...timestamps,
});

export const assessmentStatus = pgEnum("assessment_status", ["submitted", "reviewed"]);

export const writingAssessments = pgTable(
  "writing_assessments",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    learnerId: text("learner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    wordCount: integer("word_count").notNull(),
    status: assessmentStatus("status").notNull().default("submitted"),
    cefrLevel: text("cefr_level"),
    reviewComments: text("review_comments"),
    reviewedBy: text("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("writing_assessments_words", sql`${t.wordCount} between 1 and 600`),
    check(
      "writing_assessments_review",
      sql`(${t.status} = 'submitted' and ${t.cefrLevel} is null) or (${t.status} = 'reviewed' and ${t.cefrLevel} in ('A1','A2','B1','B2','C1','C2'))`,
    ),
    index("writing_assessments_learner_idx").on(t.learnerId, t.createdAt),
    index("writing_assessments_status_idx").on(t.status, t.createdAt),
  ],
);

/** A user's private iCal feed URL (rotatable): only the SHA-256 (hex) of its secret token is kept. */
export const calendarFeeds = pgTable("calendar_feeds", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
