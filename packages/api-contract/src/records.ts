import { z } from "zod";
import { TimeZone } from "./account.ts";
import { PAGE_MAX, PAGE_SIZE_MAX } from "./admin.ts";
import {
  CefrLevel,
  Currency,
  Id,
  SessionLength,
  SHORT_TEXT_MAX,
  TEXT_MAX,
  TUTORING_POLICY,
  UserId,
} from "./tutoring.ts";
import { ASSESSMENT_MAX_WORDS, CURRENCY_MINOR_DIGITS } from "./values.ts";

// Learner records (onboarding, writing assessment), credits, packs and payroll.

const Page = {
  page: z.number().int().min(1).max(PAGE_MAX).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
};
export const PageInput = z.object(Page);
export type PageInput = z.infer<typeof PageInput>;

export const LearnerIdInput = z.object({ learnerId: UserId });
export type LearnerIdInput = z.infer<typeof LearnerIdInput>;

// Onboarding

/** The skills a learner ranks, each from SKILL_PRIORITY.min (low) to SKILL_PRIORITY.max (high). */
export const SKILLS = ["speaking", "listening", "reading", "writing", "grammar", "vocabulary"] as const;
export const Skill = z.enum(SKILLS);
export type Skill = z.infer<typeof Skill>;
export const SKILL_PRIORITY = { min: 1, max: 5 } as const;
export const SkillPriority = z.number().int().min(SKILL_PRIORITY.min).max(SKILL_PRIORITY.max);

export const LESSON_FORMATS = ["conversation", "structured", "exam_prep", "mixed"] as const;
export const LessonFormat = z.enum(LESSON_FORMATS);
export type LessonFormat = z.infer<typeof LessonFormat>;

export const SaveOnboardingInput = z.object({
  /** Also becomes the learner's profile time zone. */
  timezone: TimeZone,
  goals: z.string().trim().max(TEXT_MAX).default(""),
  /** Self-assessed, on the CEFR scale the assessment uses too. */
  level: CefrLevel,
  /** Every skill, each ranked. */
  skillPriorities: z.record(Skill, SkillPriority),
  availability: z.string().trim().max(SHORT_TEXT_MAX).default(""),
  preferredFormat: LessonFormat,
  notes: z.string().trim().max(TEXT_MAX).default(""),
});
export type SaveOnboardingInput = z.infer<typeof SaveOnboardingInput>;

export const ListOnboardingInput = z.object({
  /** Omit for all, unreviewed first. */
  reviewed: z.boolean().optional(),
  ...Page,
});
export type ListOnboardingInput = z.infer<typeof ListOnboardingInput>;

// Writing assessment

/** Words are runs of non-whitespace; the server counts the same way. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

export const ASSESSMENT_MIN_WORDS = 1;
/** A bound on characters too, so a few very long "words" cannot make a huge request. */
export const ASSESSMENT_MAX_CHARS = 12_000;

export const ASSESSMENT_STATUSES = ["submitted", "reviewed"] as const;
export const AssessmentStatus = z.enum(ASSESSMENT_STATUSES);
export type AssessmentStatus = z.infer<typeof AssessmentStatus>;

export const SubmitAssessmentInput = z.object({
  text: z
    .string()
    .max(ASSESSMENT_MAX_CHARS, `At most ${ASSESSMENT_MAX_CHARS} characters`)
    .refine((text) => countWords(text) >= ASSESSMENT_MIN_WORDS, "Write at least one word")
    .refine((text) => countWords(text) <= ASSESSMENT_MAX_WORDS, `Write at most ${ASSESSMENT_MAX_WORDS} words`),
});
export type SubmitAssessmentInput = z.infer<typeof SubmitAssessmentInput>;

export const AssessmentIdInput = z.object({ assessmentId: Id });

export const ReviewAssessmentInput = z.object({
  assessmentId: Id,
  cefrLevel: CefrLevel,
  comments: z.string().trim().min(1, "Required").max(TEXT_MAX),
});
export type ReviewAssessmentInput = z.infer<typeof ReviewAssessmentInput>;

export const ListAssessmentsInput = z.object({
  /** Omit for all, unreviewed first. */
  status: AssessmentStatus.optional(),
  learnerId: UserId.optional(),
  ...Page,
});
export type ListAssessmentsInput = z.infer<typeof ListAssessmentsInput>;

/**
 * The largest amount one ledger entry may carry (minor units or credits), 10^15: below
 * Number.MAX_SAFE_INTEGER (≈9×10^15), so amounts travel as JS numbers exactly. Every input that
 * becomes an amount has a smaller ceiling of its own; the ledger and the database refuse more.
 */
export const LEDGER_MAX_AMOUNT = 1_000_000_000_000_000;

// Credit packs and grants

export const PACK_NAME_MAX = 100;
export const PACK_MAX_SESSIONS = 500;
export const PACK_MAX_VALIDITY_DAYS = 3650;
/** A pack's price ceiling in minor units (any currency): sums of prices stay safe integers. */
export const PACK_MAX_PRICE_MINOR = 10_000_000_000;

/** Minor units per currency; a currency left out is not offered. */
export const PackPrices = z.partialRecord(Currency, z.int().min(0).max(PACK_MAX_PRICE_MINOR));
export type PackPrices = z.infer<typeof PackPrices>;

export const PackFields = z.object({
  name: z.string().trim().min(1, "Required").max(PACK_NAME_MAX),
  sessions: z.number().int().min(1).max(PACK_MAX_SESSIONS),
  sessionMinutes: SessionLength.default(TUTORING_POLICY.defaultSessionMinutes),
  validityDays: z.number().int().min(1).max(PACK_MAX_VALIDITY_DAYS).default(TUTORING_POLICY.defaultPackValidityDays),
  prices: PackPrices.default({}),
});
export const CreatePackInput = PackFields;
export type CreatePackInput = z.infer<typeof CreatePackInput>;
export const UpdatePackInput = PackFields.extend({ packId: Id });
export type UpdatePackInput = z.infer<typeof UpdatePackInput>;
export const SetPackActiveInput = z.object({ packId: Id, active: z.boolean() });

export const GrantPackInput = z.object({ learnerId: UserId, packId: Id });
export type GrantPackInput = z.infer<typeof GrantPackInput>;

export const LearnerCreditsInput = z.object({ learnerId: UserId, ...Page });
export type LearnerCreditsInput = z.infer<typeof LearnerCreditsInput>;

/** Ledger transaction kinds a learner's credit history shows. */
export const CREDIT_HISTORY_KINDS = [
  "credit.grant",
  "credit.reserve",
  "credit.refund",
  "credit.consume",
  "credit.forfeit",
  "credit.expire",
] as const;

// Teacher pay and payroll

export const ListTeachersInput = z.object({ query: z.string().trim().max(200).default(""), ...Page });
export type ListTeachersInput = z.infer<typeof ListTeachersInput>;

export const SetTeacherRateInput = z.object({
  teacherId: UserId,
  /** at most TUTORING_POLICY.maxHourlyRateMinor[rateCurrency] (RATE_TOO_HIGH) */
  hourlyRateMinor: z.int().min(0),
  rateCurrency: Currency,
});
export type SetTeacherRateInput = z.infer<typeof SetTeacherRateInput>;

/** Postings made at or after `from` and strictly before `to`. */
export const PayrollRangeInput = z
  .object({ from: z.date(), to: z.date() })
  .refine((r) => r.from < r.to, { message: "Must be after the start", path: ["to"] });
export type PayrollRangeInput = z.infer<typeof PayrollRangeInput>;

/** An exact decimal string of major units ("1234.50") from integer minor units. */
export function toMajorUnits(amountMinor: number, currency: string): string {
  const digits = CURRENCY_MINOR_DIGITS[currency as Currency] ?? 2;
  const sign = amountMinor < 0 ? "-" : "";
  const abs = String(Math.abs(amountMinor)).padStart(digits + 1, "0");
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
