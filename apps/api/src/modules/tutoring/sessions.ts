import {
  type AuditAction,
  type BookSessionInput,
  type CancelSessionInput,
  type ListPageInput,
  type RateSessionInput,
  type RescheduleSessionInput,
  type Role,
  type SessionReportInput,
  type SetMeetingUrlInput,
  TUTORING_POLICY,
} from "@lectern/api-contract";
import type { Db, DbOrTx, Tx } from "@lectern/db";
import { plainRow, runStatement, schema } from "@lectern/db";
import { and, asc, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit/service.ts";
import * as recipes from "../ledger/recipes.ts";
import { lockHeldCredits, post } from "../ledger/service.ts";
import { calendarDates, loadCalendar } from "./availability.ts";
import { BOOKING_CONTEXT, insertSessionText, LOCK_BOOKABLE_TEACHER } from "./booking-sql.ts";
import { returnReservedCredits } from "./credits.ts";
import { LIST_STATEMENTS, type ListKind } from "./lists-sql.ts";
import {
  type CreditOutcome,
  cancellationOutcome,
  earningsMinor,
  freeChangeDeadline,
  joinWindow,
  noShowFrom,
  type Party,
  payableMinutes,
  reportOpensAt,
  teacherAbsentReportUntil,
  withinFreeChangeWindow,
} from "./policy.ts";
import { payingLot, sessionCost } from "./pricing.ts";
import { removeReminders, scheduleReminders } from "./reminders.ts";
import { notifySessionChange, sessionChangeEmailsJob } from "./session-emails.ts";
import { bookingWindow, type TeacherCalendar, withinAvailability } from "./slots.ts";
import { DAY_MS, MINUTE_MS } from "./zoned-time.ts";

const { tutoringSessions: S, users, teacherProfiles, onboardingAnswers } = schema;

/** A session's whole row for the booking path's plain SQL. */
const SESSION_ROW = plainRow(S);
const INSERT_SESSION = { name: "tutoring_insert_session", text: insertSessionText(SESSION_ROW.columns) };

/** Who is calling: the signed-in user (and their address, for the audit log). */
export interface Actor {
  id: string;
  role: Role;
  ip?: string | null;
}

/** Services read the time from here, so tests can move it without sleeping. */
export interface Clock {
  now?: Date;
}
export const nowOf = (clock: Clock = {}) => clock.now ?? new Date();

export type SessionRow = typeof S.$inferSelect;

export const SESSION_REFERENCE = "tutoring_session";
const reference = (id: string) => ({ type: SESSION_REFERENCE, id });

/**
 * The session a ledger row (with reference_type and reference_id, under `alias`) belongs to, as a
 * uuid: `s.id = sessionIdOf(t)` can use the sessions' primary key, where `s.id::text = ...` scans.
 */
export const sessionIdOf = (alias: SQL) =>
  sql`(case when ${alias}.reference_type = ${SESSION_REFERENCE} then ${alias}.reference_id::uuid end)`;

// ---------------------------------------------------------------------------------------------
// Reading sessions

const teacherUser = alias(users, "teacher_user");
const learnerUser = alias(users, "learner_user");

const viewColumns = {
  session: S,
  teacher: { id: teacherUser.id, name: teacherUser.name, email: teacherUser.email, image: teacherUser.image },
  learner: {
    id: learnerUser.id,
    name: learnerUser.name,
    email: learnerUser.email,
    image: learnerUser.image,
    timezone: learnerUser.timezone,
  },
  onboarding: {
    goals: onboardingAnswers.goals,
    level: onboardingAnswers.level,
    preferredFormat: onboardingAnswers.preferredFormat,
  },
};

export function selectViews(db: DbOrTx) {
  return db
    .select(viewColumns)
    .from(S)
    .innerJoin(teacherUser, eq(teacherUser.id, S.teacherId))
    .innerJoin(learnerUser, eq(learnerUser.id, S.learnerId))
    .leftJoin(onboardingAnswers, eq(onboardingAnswers.learnerId, S.learnerId));
}

type ViewRow = Awaited<ReturnType<typeof selectViews>>[number];

/** What a session's view is built from (a ViewRow, or a list row without the people's contact details). */
type ViewInput = {
  session: SessionRow;
  teacher: Pick<ViewRow["teacher"], "id" | "name" | "image">;
  learner: Pick<ViewRow["learner"], "id" | "name" | "image">;
  onboarding: ViewRow["onboarding"] | null;
};

const partyOf = (row: { learnerId: string; teacherId: string }, userId: string): "learner" | "teacher" | null =>
  row.learnerId === userId ? "learner" : row.teacherId === userId ? "teacher" : null;

/** What a session's list row is decided on: the columns lists-sql.ts reads, and whether a report was written. */
type SummaryFacts = Pick<
  SessionRow,
  | "id"
  | "teacherId"
  | "learnerId"
  | "startsAt"
  | "endsAt"
  | "durationMinutes"
  | "status"
  | "creditOutcome"
  | "meetingUrl"
  | "cancelledAt"
  | "cancelledBy"
  | "teacherAbsentReportedAt"
  | "disputeResolvedAt"
  | "reversedAt"
> & { reported: boolean };

type SummaryInput = Omit<ViewInput, "session"> & { session: SummaryFacts };

const disputeIsOpen = (s: Pick<SessionRow, "teacherAbsentReportedAt" | "disputeResolvedAt">) =>
  s.teacherAbsentReportedAt !== null && s.disputeResolvedAt === null;

/**
 * A session as a list row shows it (upcoming, past, cancelled): who, when, and the actions a row
 * offers (join, write the report), decided here so the apps hold no rule of their own.
 */
function toSummary(row: SummaryInput, viewer: Actor, now: Date) {
  const s = row.session;
  const viewerRole: Party = partyOf(s, viewer.id) ?? "admin";
  const booked = s.status === "booked";
  const { joinableFrom, joinableUntil } = joinWindow(s);
  return {
    id: s.id,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    durationMinutes: s.durationMinutes,
    status: s.status,
    creditOutcome: s.creditOutcome,
    meetingUrl: s.meetingUrl,
    viewerRole,
    teacher: { id: row.teacher.id, name: row.teacher.name, image: row.teacher.image },
    learner: { id: row.learner.id, name: row.learner.name, image: row.learner.image },
    joinableFrom,
    joinableUntil,
    canJoin: booked && now >= joinableFrom && now < joinableUntil,
    canReport:
      viewerRole === "teacher" &&
      ((booked && !disputeIsOpen(s) && now >= reportOpensAt(s.endsAt)) ||
        (s.status === "completed" && !s.reported && s.reversedAt === null)),
    cancelledAt: s.cancelledAt,
    cancelledBy: s.cancelledBy === null ? null : (partyOf(s, s.cancelledBy) ?? ("admin" as const)),
    /** The learner's onboarding summary, for their teacher (and admins). */
    learnerOnboarding:
      viewerRole !== "learner" && row.onboarding?.level
        ? { goals: row.onboarding.goals, level: row.onboarding.level, preferredFormat: row.onboarding.preferredFormat }
        : null,
  };
}

export type SessionSummary = ReturnType<typeof toSummary>;

/**
 * A session as its viewer may see it: its list row, plus every rule's deadline and what the viewer
 * may do now (cancel, reschedule, report an absence, rate), so the apps hold no rule of their own.
 */
function toView(row: ViewInput, viewer: Actor, now: Date) {
  const s = row.session;
  const reported = s.reportMessage !== null;
  const summary = toSummary({ ...row, session: { ...s, reported } }, viewer, now);
  const { viewerRole } = summary;
  const booked = s.status === "booked";
  const started = now.getTime() >= s.startsAt.getTime();
  const lifecycle = lifecycleOf(s, viewerRole, now);
  return {
    ...summary,
    /** credits the session took (0: booked without a credit) */
    credits: s.credits,
    freeChangeDeadline: freeChangeDeadline(s.startsAt),
    // Once started, the learner's way out is "teacher absent", not a cancellation.
    canCancel: booked && !lifecycle.disputeOpen && (viewerRole === "teacher" || (viewerRole === "learner" && !started)),
    canReschedule: booked && viewerRole === "learner" && !started && withinFreeChangeWindow(s.startsAt, now),
    ...lifecycle.view,
    canRate: viewerRole === "learner" && s.status === "completed" && s.rating === null,
    canSetMeetingUrl: viewerRole === "teacher" && booked,
    cancelReason: s.cancelReason,
    completedAt: s.completedAt,
    /** The teacher's comments are for teachers and admins; the learner sees the message and next steps. */
    report: reported
      ? {
          message: s.reportMessage as string,
          nextSteps: s.reportNextSteps ?? "",
          comments: viewerRole === "learner" ? null : (s.reportComments ?? ""),
        }
      : null,
    rating: s.rating,
    ratingComment: s.ratingComment,
    ratedAt: s.ratedAt,
    createdAt: s.createdAt,
  };
}

export type SessionView = ReturnType<typeof toView>;

/** When the report opens, who may declare a no-show and until when, and the dispute and reversal, if any. */
function lifecycleOf(s: SessionRow, viewerRole: Party, now: Date) {
  const booked = s.status === "booked";
  const opens = reportOpensAt(s.endsAt);
  const absentFrom = noShowFrom(s.startsAt);
  const absentUntil = teacherAbsentReportUntil(s.endsAt);
  const disputeOpen = disputeIsOpen(s);
  const completedStanding = s.status === "completed" && s.reversedAt === null;
  return {
    disputeOpen,
    view: {
      reportOpensAt: opens,
      /** the teacher may mark the learner absent from this moment */
      noShowFrom: absentFrom,
      canMarkLearnerAbsent: viewerRole === "teacher" && booked && !disputeOpen && now >= absentFrom,
      /** the learner may report the teacher absent until this moment */
      teacherAbsentReportUntil: absentUntil,
      canReportTeacherAbsent:
        viewerRole === "learner" &&
        (booked || completedStanding) &&
        s.teacherAbsentReportedAt === null &&
        now >= absentFrom &&
        now <= absentUntil,
      learnerAbsentAt: s.learnerAbsentAt,
      dispute:
        s.teacherAbsentReportedAt === null
          ? null
          : {
              reportedAt: s.teacherAbsentReportedAt,
              open: disputeOpen,
              resolution: s.disputeResolution,
              resolvedAt: s.disputeResolvedAt,
            },
      reversal: s.reversedAt === null ? null : { reversedAt: s.reversedAt, reason: s.reversalReason ?? "" },
    },
  };
}

/** The admin's view adds contact details, notes and the money side. */
export function toAdminView(row: ViewRow, admin: Actor, now: Date) {
  const s = row.session;
  return {
    ...toView(row, admin, now),
    teacher: { id: row.teacher.id, name: row.teacher.name, email: row.teacher.email, image: row.teacher.image },
    learner: { id: row.learner.id, name: row.learner.name, email: row.learner.email, image: row.learner.image },
    notes: s.notes,
    creditLotId: s.creditLotId,
    /** minutes the reserved credits pay for (null: booked without a credit) */
    paidMinutes: s.paidMinutes,
    hourlyRateMinor: s.hourlyRateMinor,
    rateCurrency: s.rateCurrency,
    createdBy: s.createdBy,
    cancelledById: s.cancelledBy,
    teacherAbsentNote: s.teacherAbsentNote,
    disputeNote: s.disputeNote,
    canReverse: s.status === "completed" && s.reversedAt === null,
  };
}

export async function viewRow(db: DbOrTx, sessionId: string) {
  const [row] = await selectViews(db).where(eq(S.id, sessionId));
  return row;
}

/** A session the viewer takes part in (admins: any); anyone else gets 404, so nothing leaks. */
export async function getSession(db: DbOrTx, viewer: Actor, sessionId: string, clock: Clock = {}) {
  const row = await viewRow(db, sessionId);
  if (!row || (viewer.role !== "admin" && !partyOf(row.session, viewer.id)))
    throw new AppError("SESSION_NOT_FOUND", "No such session");
  return toView(row, viewer, nowOf(clock));
}

/**
 * The caller's sessions as learner or teacher. Upcoming: booked and not yet ended, soonest first.
 * Past: ended or completed (not cancelled), latest first. Cancelled: cancelled ones, latest first.
 * Read with plain named prepared statements (lists-sql.ts) and mapped by hand: the query builder's
 * generic row mapping was the biggest share of a list's CPU under load (`pnpm bench --profile`).
 */
export async function listSessions(db: Db, viewer: Actor, which: ListKind, page: ListPageInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const offset = (page.page - 1) * page.pageSize;
  const statement = LIST_STATEMENTS[which];
  const values = which === "cancelled" ? [viewer.id, page.pageSize, offset] : [viewer.id, now, page.pageSize, offset];
  const { rows } = await runStatement<ListRow>(db, { name: statement.name, text: statement.page }, values);
  // Each row carries the total; only a page past the end (no rows) needs a count of its own.
  const total =
    rows.length > 0
      ? Number(rows[0]?.total)
      : offset === 0
        ? 0
        : Number(
            (
              await runStatement<{ total: string }>(
                db,
                { name: `${statement.name}_count`, text: statement.count },
                values.slice(0, -2),
              )
            ).rows[0]?.total ?? 0,
          );
  return {
    items: rows.map((r) => toSummary(fromListRow(r), viewer, now)),
    total,
    page: page.page,
    pageSize: page.pageSize,
  };
}

/** A list row as pg returns it (lists-sql.ts): the session's columns by their SQL names, then its people's. */
interface ListRow {
  id: string;
  teacher_id: string;
  learner_id: string;
  starts_at: Date;
  ends_at: Date;
  duration_minutes: number;
  status: SessionRow["status"];
  credit_outcome: SessionRow["creditOutcome"];
  meeting_url: string | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  teacher_absent_reported_at: Date | null;
  dispute_resolved_at: Date | null;
  reversed_at: Date | null;
  reported: boolean;
  /** all matching sessions, not only this page's (bigint, as text) */
  total: string;
  t_name: string;
  t_image: string | null;
  l_name: string;
  l_image: string | null;
  o_level: string | null;
  o_goals: string | null;
  o_preferred_format: string | null;
}

function fromListRow(r: ListRow): SummaryInput {
  return {
    session: {
      id: r.id,
      teacherId: r.teacher_id,
      learnerId: r.learner_id,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      durationMinutes: r.duration_minutes,
      status: r.status,
      creditOutcome: r.credit_outcome,
      meetingUrl: r.meeting_url,
      cancelledAt: r.cancelled_at,
      cancelledBy: r.cancelled_by,
      teacherAbsentReportedAt: r.teacher_absent_reported_at,
      disputeResolvedAt: r.dispute_resolved_at,
      reversedAt: r.reversed_at,
      reported: r.reported,
    },
    teacher: { id: r.teacher_id, name: r.t_name, image: r.t_image },
    learner: { id: r.learner_id, name: r.l_name, image: r.l_image },
    onboarding:
      r.o_level === null
        ? null
        : { goals: r.o_goals ?? "", level: r.o_level, preferredFormat: r.o_preferred_format ?? "" },
  };
}

/**
 * What cancelling now would do to the credit, and whether a reschedule is still allowed, so the
 * learner can decide before confirming.
 */
export async function changePreview(db: DbOrTx, viewer: Actor, sessionId: string, clock: Clock = {}) {
  const now = nowOf(clock);
  const [row] = await db.select().from(S).where(eq(S.id, sessionId));
  const party = row ? partyOf(row, viewer.id) : null;
  if (!row || (!party && viewer.role !== "admin")) throw new AppError("SESSION_NOT_FOUND", "No such session");
  if (row.status !== "booked") throw new AppError("SESSION_NOT_BOOKED", "This session is no longer booked");
  const free = withinFreeChangeWindow(row.startsAt, now);
  return {
    sessionId: row.id,
    /** what a cancellation by the caller would do to the credit right now */
    creditOutcome: cancellationOutcome(row, party ?? "admin", now),
    /** until when a learner's cancellation or reschedule is free */
    deadline: freeChangeDeadline(row.startsAt),
    isFree: free,
    canReschedule: party === "learner" && free,
  };
}

// ---------------------------------------------------------------------------------------------
// Rules shared by the actions

export async function lockSession(tx: Tx, sessionId: string) {
  const [row] = await tx.select().from(S).where(eq(S.id, sessionId)).for("update");
  return row;
}

/**
 * Locks a session for an action by one of its two people. Strangers get 404; an admin who is not
 * a party sees the session but acts on it through admin.sessions.* (403 here).
 */
export async function lockOwnSession(tx: Tx, actor: Actor, sessionId: string) {
  const row = await lockSession(tx, sessionId);
  const party = row ? partyOf(row, actor.id) : null;
  if (!row || (!party && actor.role !== "admin")) throw new AppError("SESSION_NOT_FOUND", "No such session");
  if (!party) throw new AppError("FORBIDDEN", "Only the session's learner or teacher can do this");
  return { row, party };
}

export function requireParty(party: "learner" | "teacher", wanted: "learner" | "teacher") {
  if (party !== wanted)
    throw new AppError(
      "FORBIDDEN",
      wanted === "learner" ? "Only the learner can do this" : "Only the teacher can do this",
    );
}

export function requireBooked(row: SessionRow) {
  if (row.status !== "booked") throw new AppError("SESSION_NOT_BOOKED", "This session is no longer booked");
}

/** A learner cannot cancel or move a session that has started: no-shows have their own path. */
function requireNotStarted(row: SessionRow, now: Date) {
  if (now.getTime() >= row.startsAt.getTime())
    throw new AppError(
      "SESSION_STARTED",
      "This session has started: it can no longer be cancelled or moved. If your teacher did not come, report it from the session page.",
    );
}

const teacherColumns = {
  id: users.id,
  role: users.role,
  banned: users.banned,
  hourlyRateMinor: teacherProfiles.hourlyRateMinor,
  rateCurrency: teacherProfiles.rateCurrency,
  defaultMeetingUrl: teacherProfiles.defaultMeetingUrl,
};

interface TeacherRow {
  id: string;
  role: string;
  banned: boolean | null;
  hourlyRateMinor: number | null;
  rateCurrency: string | null;
  defaultMeetingUrl: string | null;
}

function bookableTeacher(row: TeacherRow | undefined) {
  if (row?.role !== "teacher" || row.banned) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
  return {
    id: row.id,
    hourlyRateMinor: row.hourlyRateMinor ?? 0,
    rateCurrency: row.rateCurrency ?? "USD",
    defaultMeetingUrl: row.defaultMeetingUrl ?? null,
  };
}

/** A bookable teacher and their pay, snapshotted into each booking. */
export async function requireTeacher(db: DbOrTx, teacherId: string) {
  const [row] = await db
    .select(teacherColumns)
    .from(users)
    .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
    .where(eq(users.id, teacherId));
  return bookableTeacher(row);
}

/** The UTC range whose calendar decides whether a slot is within the teacher's availability. */
const calendarRange = (startsAt: Date, durationMinutes: number): [number, number] => [
  startsAt.getTime() - DAY_MS,
  startsAt.getTime() + durationMinutes * MINUTE_MS + DAY_MS,
];

/** A booking context row as pg returns it (booking-sql.ts, BOOKING_CONTEXT). */
interface BookingContextRow {
  id: string;
  role: string;
  banned: boolean | null;
  /** bigint, as text */
  hourly_rate_minor: string | null;
  rate_currency: string | null;
  default_meeting_url: string | null;
  name: string;
  email: string;
  image: string | null;
  calendar: TeacherCalendar;
  learner: ViewRow["learner"] | null;
}

/**
 * requireTeacher, the teacher's calendar around the slot and both people as the session's view
 * shows them, in one round trip (booking's hot path: the view is then built without reading it back).
 */
async function bookingContext(db: DbOrTx, learnerId: string, input: BookSessionInput) {
  const [firstDate, lastDate] = calendarDates(...calendarRange(input.startsAt, input.durationMinutes));
  const { rows } = await runStatement<BookingContextRow>(db, BOOKING_CONTEXT, [
    input.teacherId,
    firstDate,
    lastDate,
    learnerId,
  ]);
  const [row] = rows;
  const teacher = bookableTeacher(
    row && {
      id: row.id,
      role: row.role,
      banned: row.banned,
      hourlyRateMinor: row.hourly_rate_minor === null ? null : Number(row.hourly_rate_minor),
      rateCurrency: row.rate_currency,
      defaultMeetingUrl: row.default_meeting_url,
    },
  );
  if (!row?.learner) throw new Error(`learner ${learnerId} missing`);
  return {
    teacher,
    calendar: row.calendar,
    people: { teacher: { id: row.id, name: row.name, email: row.email, image: row.image }, learner: row.learner },
  };
}

export function requireWholeMinute(startsAt: Date) {
  if (startsAt.getTime() % MINUTE_MS !== 0)
    throw new AppError("SLOT_UNAVAILABLE", "Sessions start on a whole minute of the slot grid");
}

/**
 * A learner's slot: after the minimum notice, within the booking horizon, on the grid and fully
 * inside the teacher's availability. Overlaps are left to the exclusion constraints (SLOT_TAKEN).
 */
async function requireLearnerSlot(
  db: DbOrTx,
  teacherId: string,
  startsAt: Date,
  durationMinutes: number,
  now: Date,
  /** already read with the teacher (booking) */
  loaded?: TeacherCalendar,
) {
  const window = bookingWindow(now);
  const start = startsAt.getTime();
  if (start < window.start)
    throw new AppError(
      "TOO_SOON",
      `Sessions must be booked at least ${TUTORING_POLICY.minBookingNoticeMinutes / 60} hours ahead`,
    );
  requireWholeMinute(startsAt);
  if (start > window.end)
    throw new AppError(
      "SLOT_UNAVAILABLE",
      `Sessions can be booked up to ${TUTORING_POLICY.bookingHorizonDays} days ahead`,
    );
  const calendar = loaded ?? (await loadCalendar(db, teacherId, ...calendarRange(startsAt, durationMinutes)));
  if (!withinAvailability(calendar, start, durationMinutes))
    throw new AppError("SLOT_UNAVAILABLE", "The teacher is not available at that time");
}

/** The lot that pays for the session (see pricing.ts), its ledger account locked until the transaction ends. */
async function takeCreditLot(tx: Tx, learnerId: string, durationMinutes: number, now: Date) {
  const lot = await payingLot(tx, learnerId, durationMinutes, now, true);
  if (!lot) {
    const cost = await sessionCost(tx, learnerId, durationMinutes, now);
    throw new AppError(
      "NO_CREDITS",
      `A ${durationMinutes}-minute session costs ${cost.credits} credit(s) from one pack; you have ${cost.available} in all`,
    );
  }
  return lot;
}

// Ledger movements: recipes posted through the ledger, which touch only the learner's and the
// teacher's own rows (a booking never waits on another learner's).

async function reserveCredit(tx: Tx, session: SessionRow, lotAccountId: string) {
  const { credits } = session;
  await post(
    tx,
    recipes.reserveCredit(
      { learnerId: session.learnerId, lotAccountId, credits },
      {
        description: credits === 1 ? "Credit reserved for a session" : `${credits} credits reserved for a session`,
        actorId: session.createdBy,
        reference: reference(session.id),
      },
    ),
  );
}

/**
 * Returns the session's reserved credits. A learner's own (free) cancellation puts them back in
 * the lot they came from: if it has expired meanwhile, the expiry sweep takes them. Any other
 * return (teacher, admin, the system) guarantees TUTORING_POLICY.returnedCreditMinValidityDays of
 * validity: a lot that has expired or ends sooner gets them in a fresh lot valid that long.
 */
export async function returnCredit(
  tx: Tx,
  session: SessionRow,
  actorId: string | null,
  options: { now?: Date; learnerCancelled?: boolean } = {},
) {
  if (!session.creditLotId) throw new Error(`session ${session.id} has a reserved credit but no lot`);
  await returnReservedCredits(tx, {
    lotId: session.creditLotId,
    credits: session.credits,
    description:
      session.credits === 1 ? "Credit returned from a cancelled session" : "Credits returned from a cancelled session",
    actorId,
    reference: reference(session.id),
    now: options.now ?? new Date(),
    minValidityDays: options.learnerCancelled ? undefined : TUTORING_POLICY.returnedCreditMinValidityDays,
  });
}

async function moveReserved(tx: Tx, session: SessionRow, to: "forfeit" | "consume", actorId: string | null) {
  const held = { learnerId: session.learnerId, credits: session.credits };
  await post(
    tx,
    to === "consume"
      ? recipes.consumeCredit(held, {
          description: "Credit used by a completed session",
          actorId,
          reference: reference(session.id),
        })
      : recipes.forfeitCredit(held, {
          description: "Credit forfeited by a late cancellation",
          actorId,
          reference: reference(session.id),
        }),
  );
}

async function postEarnings(tx: Tx, session: SessionRow, amount: number, actorId: string | null) {
  await post(
    tx,
    recipes.postEarnings(
      { teacherId: session.teacherId, currency: session.rateCurrency, amount },
      {
        description: `Teacher pay for a ${session.durationMinutes}-minute session`,
        actorId,
        reference: reference(session.id),
        metadata: {
          hourlyRateMinor: session.hourlyRateMinor,
          durationMinutes: session.durationMinutes,
          paidMinutes: payableMinutes(session),
        },
      },
    ),
  );
}

/** What the audit log keeps of a session. */
export const auditSummary = (s: SessionRow) => ({
  teacherId: s.teacherId,
  learnerId: s.learnerId,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  durationMinutes: s.durationMinutes,
  status: s.status,
  creditOutcome: s.creditOutcome,
  creditLotId: s.creditLotId,
  meetingUrl: s.meetingUrl,
  notes: s.notes,
});

export async function audit(
  tx: DbOrTx,
  actor: { id: string | null; ip?: string | null },
  action: AuditAction,
  sessionId: string,
  before: unknown,
  after: unknown,
) {
  await recordAudit(tx, {
    actorId: actor.id,
    action,
    targetType: SESSION_REFERENCE,
    targetId: sessionId,
    before,
    after,
    ipAddress: actor.ip ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Booking

export interface NewSession {
  learnerId: string;
  teacher: Awaited<ReturnType<typeof requireTeacher>>;
  startsAt: Date;
  durationMinutes: number;
  meetingUrl?: string | null;
  notes?: string | null;
  /** false: book without a credit (admin override) */
  withCredit: boolean;
  createdBy: string;
}

/**
 * Disabling a teacher locks their user row and cancels their sessions; a booking holds a share lock
 * on it (first, before any ledger row, so both lock in one order), so it either lands before the
 * disabling, and is cancelled by it, or sees the teacher disabled. In the same statement, after the
 * teacher's row, a booking that pays with a credit locks the learner's held-credit account: every
 * credit path takes that account before the learner's lots (ledger/service.ts `lockHeldCredits`).
 */
async function lockBookableTeacher(tx: Tx, teacherId: string, payingLearnerId: string | null) {
  const { rows } = await runStatement<{ banned: boolean | null }>(tx, LOCK_BOOKABLE_TEACHER, [
    teacherId,
    payingLearnerId,
  ]);
  const [row] = rows;
  if (!row || row.banned) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
}

/**
 * Two overlapping writes (bookings, moves) can each find the other's unfinished row in the no-overlap
 * check and wait for it; Postgres breaks that deadlock by failing one of them, for which the slot is
 * taken (409 SLOT_TAKEN, as when the other had committed first), not a generic CONFLICT.
 */
function overlapDeadlock(error: unknown): AppError | undefined {
  for (
    let e = error as { code?: unknown; where?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (e.code === "40P01" && typeof e.where === "string" && /exclusion constraint .*"tutoring_sessions"/.test(e.where))
      return new AppError("SLOT_TAKEN", "Someone else took that time a moment ago", { cause: error });
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Runs a write of a session's time, turning a deadlock in the no-overlap check into SLOT_TAKEN. */
async function writingTime<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw overlapDeadlock(error) ?? error;
  }
}

/** Inserts the session, reserves its credit and schedules its reminders, in the caller's transaction. */
export async function createSession(tx: Tx, input: NewSession, now: Date) {
  await lockBookableTeacher(tx, input.teacher.id, input.withCredit ? input.learnerId : null);
  const lot = input.withCredit ? await takeCreditLot(tx, input.learnerId, input.durationMinutes, now) : null;
  const session = await writingTime(() =>
    SESSION_ROW.first(tx, INSERT_SESSION, [
      input.teacher.id,
      input.learnerId,
      input.startsAt,
      new Date(input.startsAt.getTime() + input.durationMinutes * MINUTE_MS),
      input.durationMinutes,
      input.meetingUrl ?? input.teacher.defaultMeetingUrl,
      input.notes ?? null,
      input.teacher.hourlyRateMinor,
      input.teacher.rateCurrency,
      lot?.lotId ?? null,
      lot ? "reserved" : "none",
      lot?.credits ?? 0,
      lot?.paidMinutes ?? null,
      input.createdBy,
    ]),
  );
  if (!session) throw new Error("session insert returned nothing");
  // Reminders and the booking emails' job in one statement; the emails are written by that job.
  await scheduleReminders(tx, session, now, sessionChangeEmailsJob(session, { kind: "booked" }, now));
  // The posting goes last: the learner's held-credit row stays locked only until commit.
  if (lot) await reserveCredit(tx, session, lot.accountId);
  return session;
}

/** A learner books a free slot of a teacher, paying one credit (reserved until the session ends). */
export async function bookSession(db: Db, learner: Actor, input: BookSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const { teacher, calendar, people } = await bookingContext(db, learner.id, input);
  await requireLearnerSlot(db, teacher.id, input.startsAt, input.durationMinutes, now, calendar);
  const session = await db.transaction(async (tx) => {
    const session = await createSession(
      tx,
      {
        learnerId: learner.id,
        teacher,
        startsAt: input.startsAt,
        durationMinutes: input.durationMinutes,
        withCredit: true,
        createdBy: learner.id,
      },
      now,
    );
    await audit(tx, learner, "tutoring.session.book", session.id, null, auditSummary(session));
    return session;
  });
  // The learner's own view: no onboarding summary (that is for the teacher), nothing to read back.
  return toView({ session, ...people, onboarding: null }, learner, now);
}

// ---------------------------------------------------------------------------------------------
// Changes by the learner or teacher

/** The learner moves the session to another free slot, only while changes are free; the credit stays reserved. */
export async function rescheduleSession(db: Db, actor: Actor, input: RescheduleSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    requireParty(party, "learner");
    requireBooked(row);
    requireNotStarted(row, now);
    if (!withinFreeChangeWindow(row.startsAt, now))
      throw new AppError(
        "TOO_LATE_TO_CHANGE",
        `Sessions can be moved up to ${TUTORING_POLICY.freeChangeMinutes / 60} hours before they start`,
      );
    await requireLearnerSlot(tx, row.teacherId, input.startsAt, row.durationMinutes, now);
    const [moved] = await writingTime(() =>
      tx
        .update(S)
        .set({
          startsAt: input.startsAt,
          endsAt: new Date(input.startsAt.getTime() + row.durationMinutes * MINUTE_MS),
          updatedAt: now,
        })
        .where(eq(S.id, row.id))
        .returning(),
    );
    if (!moved) throw new Error("session update returned nothing");
    await scheduleReminders(tx, moved, now);
    await notifySessionChange(tx, row.id, { kind: "rescheduled", previousStartsAt: row.startsAt }, now);
    await audit(
      tx,
      actor,
      "tutoring.session.reschedule",
      row.id,
      { startsAt: row.startsAt.toISOString() },
      { startsAt: moved.startsAt.toISOString() },
    );
  });
  return getSession(db, actor, input.sessionId, { now });
}

/**
 * Cancels a booked session (row locked, so a second cancellation finds it cancelled and moves
 * nothing): the credit is returned or forfeited by the policy, reminders are removed, both
 * sides are told.
 */
export async function cancelLocked(
  tx: Tx,
  row: SessionRow,
  by: Party,
  /** id null: the system (e.g. auto-completion cancelling a disabled teacher's session) */
  actor: { id: string | null; ip?: string | null },
  reason: string | null,
  now: Date,
) {
  requireBooked(row);
  const outcome = cancellationOutcome(row, by, now);
  const creditOutcome: CreditOutcome = outcome === "none" ? row.creditOutcome : outcome;
  // Before the session's row changes: a booking of this learner that waits for this one in the
  // no-overlap check may already hold the held-credit account, and must not be waited for in turn.
  if (outcome !== "none") await lockHeldCredits(tx, row.learnerId);
  await tx
    .update(S)
    .set({
      status: "cancelled",
      cancelledBy: actor.id,
      cancelledAt: now,
      cancelReason: reason,
      creditOutcome,
      updatedAt: now,
    })
    .where(eq(S.id, row.id));
  await removeReminders(tx, row.id);
  await audit(
    tx,
    actor,
    "tutoring.session.cancel",
    row.id,
    { status: row.status, creditOutcome: row.creditOutcome },
    { status: "cancelled", creditOutcome, by, reason },
  );
  await notifySessionChange(tx, row.id, { kind: "cancelled" }, now);
  // Postings last: the learner's rows stay locked only until commit.
  if (outcome === "refunded") await returnCredit(tx, row, actor.id, { now, learnerCancelled: by === "learner" });
  else if (outcome === "forfeited") await moveReserved(tx, row, "forfeit", actor.id);
  return creditOutcome;
}

export async function cancelSession(db: Db, actor: Actor, input: CancelSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    if (party === "learner" && row.status === "booked") requireNotStarted(row, now);
    requireNoOpenDispute(row);
    await cancelLocked(tx, row, party, actor, input.reason || null, now);
  });
  return getSession(db, actor, input.sessionId, { now });
}

export async function setMeetingUrl(db: Db, actor: Actor, input: SetMeetingUrlInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    requireParty(party, "teacher");
    requireBooked(row);
    await tx.update(S).set({ meetingUrl: input.meetingUrl, updatedAt: now }).where(eq(S.id, row.id));
  });
  return getSession(db, actor, input.sessionId, { now });
}

// ---------------------------------------------------------------------------------------------
// Completion

interface Completion {
  actor: { id: string | null; ip?: string | null };
  now: Date;
  automatic: boolean;
  report?: { message: string; comments: string; nextSteps: string };
}

/**
 * Completes a locked, booked session: the reserved credit is consumed and the teacher's pay
 * (snapshotted rate × the minutes the learner paid for, at most the duration) is posted, unless it is zero.
 */
export async function completeLocked(tx: Tx, row: SessionRow, c: Completion) {
  requireBooked(row);
  const consume = row.creditOutcome === "reserved";
  const creditOutcome = consume ? "consumed" : row.creditOutcome;
  const earnings = earningsMinor(row.hourlyRateMinor, payableMinutes(row));
  // The held credits before the teacher's wallet, in the order every credit path locks them.
  if (consume) await lockHeldCredits(tx, row.learnerId);
  await tx
    .update(S)
    .set({
      status: "completed",
      completedAt: c.now,
      creditOutcome,
      updatedAt: c.now,
      ...(c.report
        ? { reportMessage: c.report.message, reportComments: c.report.comments, reportNextSteps: c.report.nextSteps }
        : {}),
    })
    .where(eq(S.id, row.id));
  await removeReminders(tx, row.id);
  await audit(
    tx,
    c.actor,
    "tutoring.session.complete",
    row.id,
    { status: row.status, creditOutcome: row.creditOutcome },
    {
      status: "completed",
      creditOutcome,
      automatic: c.automatic,
      earnings: { amountMinor: earnings, currency: row.rateCurrency },
    },
  );
  // Postings last: the learner's and the teacher's rows stay locked only until commit.
  if (consume) await moveReserved(tx, row, "consume", c.actor.id);
  if (earnings > 0) await postEarnings(tx, row, earnings, c.actor.id);
}

export function requireNoOpenDispute(row: SessionRow) {
  if (row.teacherAbsentReportedAt !== null && row.disputeResolvedAt === null)
    throw new AppError("SESSION_DISPUTED", "The learner reported that the teacher did not come: an admin decides");
}

/**
 * The teacher's report from its opening time (shortly before the end): it completes a booked session (credit
 * consumed, pay posted). A session completed automatically can still get its report, once.
 */
export async function reportSession(db: Db, actor: Actor, input: SessionReportInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const report = { message: input.message, comments: input.comments, nextSteps: input.nextSteps };
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    requireParty(party, "teacher");
    if (row.status === "completed" && row.reportMessage === null) {
      await tx
        .update(S)
        .set({
          reportMessage: report.message,
          reportComments: report.comments,
          reportNextSteps: report.nextSteps,
          updatedAt: now,
        })
        .where(eq(S.id, row.id));
      return;
    }
    requireBooked(row);
    requireNoOpenDispute(row);
    const opens = reportOpensAt(row.endsAt);
    if (now.getTime() < opens.getTime())
      throw new AppError("REPORT_NOT_OPEN", `The report opens at ${opens.toISOString()}`);
    await completeLocked(tx, row, { actor, now, automatic: false, report });
  });
  return getSession(db, actor, input.sessionId, { now });
}

/** How many due sessions the auto-completion reads at a time. */
export const AUTO_COMPLETE_BATCH = 200;

/**
 * Completes booked sessions whose end plus the grace period has passed, each in its own
 * transaction; rows another worker holds are skipped, and a completed one is never touched again.
 * Sessions in dispute wait for an admin; a disabled teacher's are cancelled with the credit returned.
 * Reads the due sessions in bounded batches until none is left, so one run drains a backlog; it
 * walks forward by (end, id), so a session that fails or is held elsewhere is passed once per run.
 */
export async function autoCompleteSessions(db: Db, clock: Clock = {}, batchSize = AUTO_COMPLETE_BATCH) {
  const now = nowOf(clock);
  const cutoff = new Date(now.getTime() - TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE_MS);
  const due = and(eq(S.status, "booked"), lte(S.endsAt, cutoff), isNull(S.teacherAbsentReportedAt));
  let completed = 0;
  let seen = 0;
  const failures: unknown[] = [];
  let after: { endsAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await db
      .select({ id: S.id, endsAt: S.endsAt })
      .from(S)
      .where(
        and(
          due,
          after ? or(gt(S.endsAt, after.endsAt), and(eq(S.endsAt, after.endsAt), gt(S.id, after.id))) : undefined,
        ),
      )
      .orderBy(asc(S.endsAt), asc(S.id))
      .limit(batchSize);
    seen += batch.length;
    completed += await completeDue(db, batch, due, now, failures);
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1];
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} of ${seen} sessions failed to complete`);
  return { completed };
}

/** Completes (or, for a disabled teacher, cancels) each session still due; returns how many completed. */
async function completeDue(db: Db, candidates: { id: string }[], due: SQL | undefined, now: Date, failures: unknown[]) {
  let completed = 0;
  for (const { id } of candidates) {
    try {
      const done = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(S)
          .where(and(eq(S.id, id), due))
          .for("update", { skipLocked: true });
        if (!row) return false;
        const [teacher] = await tx.select({ banned: users.banned }).from(users).where(eq(users.id, row.teacherId));
        if (teacher?.banned) {
          await cancelLocked(tx, row, "admin", { id: null }, "The teacher's account is disabled", now);
          return false;
        }
        await completeLocked(tx, row, { actor: { id: null }, now, automatic: true });
        return true;
      });
      if (done) completed++;
    } catch (error) {
      failures.push(error);
    }
  }
  return completed;
}

export async function rateSession(db: Db, actor: Actor, input: RateSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    requireParty(party, "learner");
    if (row.status !== "completed")
      throw new AppError("SESSION_NOT_COMPLETED", "Only a completed session can be rated");
    if (row.rating !== null) throw new AppError("ALREADY_RATED", "You have already rated this session");
    await tx
      .update(S)
      .set({ rating: input.rating, ratingComment: input.comment || null, ratedAt: now, updatedAt: now })
      .where(eq(S.id, row.id));
    await addTeacherRating(tx, row.teacherId, input.rating, 1);
  });
  return getSession(db, actor, input.sessionId, { now });
}

/**
 * Adds a rating to (direction 1) or takes one from (-1) the stats on the teacher's profile, in the
 * caller's transaction. A first rating creates the profile row if the teacher has none yet.
 */
export async function addTeacherRating(tx: Tx, teacherId: string, rating: number, direction: 1 | -1) {
  const change = {
    ratingCount: sql`${teacherProfiles.ratingCount} + ${direction}`,
    ratingSum: sql`${teacherProfiles.ratingSum} + ${direction * rating}`,
  };
  if (direction === -1) {
    await tx.update(teacherProfiles).set(change).where(eq(teacherProfiles.userId, teacherId));
    return;
  }
  await tx
    .insert(teacherProfiles)
    .values({ userId: teacherId, ratingCount: 1, ratingSum: rating })
    .onConflictDoUpdate({ target: teacherProfiles.userId, set: change });
}
