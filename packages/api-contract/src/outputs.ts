import { z } from "zod";
import { Locale, Role } from "./account.ts";
import { ERROR_CODES, type ErrorCode } from "./errors.ts";
import { CREDIT_OUTCOMES, SessionLength, SessionStatus } from "./tutoring.ts";

/**
 * Outputs of the procedures the REST surface documents (/api/v1, OpenAPI). They describe the real
 * data the services return: tRPC checks each resolver against them, and clients get these types.
 */

/**
 * An instant: a Date in code (superjson keeps it on the tRPC path), an ISO 8601 string over REST and
 * in the OpenAPI document. A new schema per use: trpc-to-openapi makes REST inputs' dates coerce in place.
 */
export const dateTime = () => z.date().meta({ override: { type: "string", format: "date-time" } });

const Party = z.enum(["learner", "teacher", "admin"]);

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

// Account

export const ProfileOutput = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  timezone: z.string(),
  locale: Locale,
  emailVerified: z.boolean(),
  image: z.string().nullable(),
  createdAt: dateTime(),
});

/** The signed-in user, or null when nobody is; `impersonator` is the admin behind an impersonated session. */
export const MeOutput = ProfileOutput.extend({
  impersonator: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
}).nullable();

// Teachers and slots

export const TeacherOutput = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string().nullable(),
  timezone: z.string(),
  bio: z.string(),
  subjects: z.array(z.string()),
  languages: z.array(z.string()),
  averageRating: z.number().nullable(),
  ratingsCount: z.number().int(),
  /** The next free start for a session of the default length, if any in the booking window. */
  nextFreeSlot: dateTime().nullable(),
});

export const TeacherPageOutput = pageOf(TeacherOutput);

export const TeacherSlotsOutput = z.object({
  teacherTimezone: z.string(),
  durationMinutes: SessionLength,
  /** Bookable start times. */
  slots: z.array(dateTime()),
});

// Sessions

const Person = z.object({ id: z.string(), name: z.string(), image: z.string().nullable() });

/** A session as its viewer may see it, with what the viewer may do with it now. */
export const SessionOutput = z.object({
  id: z.string(),
  startsAt: dateTime(),
  endsAt: dateTime(),
  durationMinutes: z.number().int(),
  status: SessionStatus,
  creditOutcome: z.enum(CREDIT_OUTCOMES),
  /** credits the session took (0: booked without a credit) */
  credits: z.number().int(),
  meetingUrl: z.string().nullable(),
  viewerRole: Party,
  teacher: Person,
  learner: Person,
  joinableFrom: dateTime(),
  joinableUntil: dateTime(),
  canJoin: z.boolean(),
  freeChangeDeadline: dateTime(),
  canCancel: z.boolean(),
  canReschedule: z.boolean(),
  canReport: z.boolean(),
  reportOpensAt: dateTime(),
  noShowFrom: dateTime(),
  canMarkLearnerAbsent: z.boolean(),
  teacherAbsentReportUntil: dateTime(),
  canReportTeacherAbsent: z.boolean(),
  learnerAbsentAt: dateTime().nullable(),
  dispute: z
    .object({
      reportedAt: dateTime(),
      open: z.boolean(),
      resolution: z.enum(["refund", "complete"]).nullable(),
      resolvedAt: dateTime().nullable(),
    })
    .nullable(),
  reversal: z.object({ reversedAt: dateTime(), reason: z.string() }).nullable(),
  canRate: z.boolean(),
  canSetMeetingUrl: z.boolean(),
  cancelledAt: dateTime().nullable(),
  cancelledBy: Party.nullable(),
  cancelReason: z.string().nullable(),
  completedAt: dateTime().nullable(),
  /** `comments` is null for the learner: the teacher's comments are for teachers and admins. */
  report: z.object({ message: z.string(), nextSteps: z.string(), comments: z.string().nullable() }).nullable(),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
  ratedAt: dateTime().nullable(),
  learnerOnboarding: z.object({ goals: z.string(), level: z.string(), preferredFormat: z.string() }).nullable(),
  createdAt: dateTime(),
});

/**
 * A session in a list (upcoming, past, cancelled): what a row shows and the actions a row offers
 * (join, write the report). The whole session, with every rule's deadline, is `sessions.get`.
 */
export const SessionSummaryOutput = SessionOutput.pick({
  id: true,
  startsAt: true,
  endsAt: true,
  durationMinutes: true,
  status: true,
  creditOutcome: true,
  meetingUrl: true,
  viewerRole: true,
  teacher: true,
  learner: true,
  joinableFrom: true,
  joinableUntil: true,
  canJoin: true,
  canReport: true,
  cancelledAt: true,
  cancelledBy: true,
  learnerOnboarding: true,
});

export const SessionPageOutput = pageOf(SessionSummaryOutput);

// Credits

export const CreditBalanceOutput = z.object({
  currency: z.string().meta({ description: "Always CREDIT: credits are the ledger's CREDIT currency" }),
  /** Credits in lots that have not expired. */
  totalAvailable: z.number().int(),
  lots: z.array(
    z.object({
      id: z.string(),
      packId: z.string().nullable(),
      packName: z.string().nullable(),
      sessions: z.number().int(),
      sessionMinutes: z.number().int(),
      remaining: z.number().int(),
      reserved: z.number().int(),
      expiresAt: dateTime(),
      expiredAt: dateTime().nullable(),
      grantedAt: dateTime(),
      expired: z.boolean(),
    }),
  ),
});

export const CreditHistoryOutput = pageOf(
  z.object({
    transactionId: z.string(),
    kind: z.string(),
    description: z.string(),
    /** The change to the learner's lots (0 for consume and forfeit: the credit left when reserved). */
    amount: z.number().int(),
    /** How many credits the transaction moved. */
    credits: z.number().int(),
    lotId: z.string().nullable(),
    packName: z.string().nullable(),
    reference: z.object({ type: z.string(), id: z.string() }).nullable(),
    createdAt: dateTime(),
  }),
);

// Errors

/** Every REST error: the same code, status and field issues that tRPC errors carry in `data`. */
export const ApiErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).meta({
        description: "Lectern's stable error code: branch on this, not on the message",
      }),
      status: z.number().int().meta({ description: "The HTTP status of that code" }),
      message: z.string().meta({ description: "For people, in English" }),
      issues: z
        .array(
          z.object({
            path: z.array(z.union([z.string(), z.number()])),
            code: z.string(),
            message: z.string(),
          }),
        )
        .meta({ description: "The input's problems, field by field; empty unless code is VALIDATION_FAILED" }),
    }),
  })
  .meta({ description: "The one shape of every error answer" });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
