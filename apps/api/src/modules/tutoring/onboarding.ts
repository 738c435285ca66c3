import {
  type CEFR_LEVELS,
  type LessonFormat,
  type ListOnboardingInput,
  type Role,
  type SaveOnboardingInput,
  SKILLS,
  type Skill,
} from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, asc, type Column, count, desc, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit/service.ts";

const { onboardingAnswers, tutoringSessions, users } = schema;

/** Whoever is asking: their id and role decide what they may read. */
export interface Viewer {
  id: string;
  role: Role;
  ip?: string | null;
}

/**
 * A teacher's learners are those they have or had a non-cancelled session with: the condition
 * that `teacherId` teaches `learnerId` (a value, or a column of the row being filtered).
 */
export const teachesLearner = (teacherId: string, learnerId: Column | string) => sql`exists (
  select 1 from ${tutoringSessions} s
  where s.teacher_id = ${teacherId} and s.learner_id = ${learnerId} and s.status <> 'cancelled')`;

/**
 * Learner records are readable by the learner, the learner's teachers and admins. Anyone else
 * learns nothing, not even that the learner exists: `notFound` is thrown.
 */
export async function requireLearnerAccess(db: DbOrTx, viewer: Viewer, learnerId: string, notFound: AppError) {
  if (viewer.role === "admin" || viewer.id === learnerId) return;
  if (viewer.role === "teacher") {
    const [row] = await db
      .execute<{ ok: boolean }>(sql`select ${teachesLearner(viewer.id, learnerId)} as ok`)
      .then((r) => r.rows);
    if (row?.ok) return;
  }
  throw notFound;
}

/** The rows a viewer's queue may list: all for admins, their learners' for teachers. */
export function learnerScope(viewer: Viewer, learnerIdColumn: Column): SQL | undefined {
  return viewer.role === "admin" ? undefined : teachesLearner(viewer.id, learnerIdColumn);
}

const learnerNotFound = () => new AppError("LEARNER_NOT_FOUND", "No learner of yours with that id");

const reviewer = alias(users, "reviewer");

const answerColumns = {
  learnerId: onboardingAnswers.learnerId,
  timezone: onboardingAnswers.timezone,
  goals: onboardingAnswers.goals,
  level: onboardingAnswers.level,
  skillPriorities: onboardingAnswers.skillPriorities,
  availability: onboardingAnswers.availability,
  preferredFormat: onboardingAnswers.preferredFormat,
  notes: onboardingAnswers.notes,
  reviewedAt: onboardingAnswers.reviewedAt,
  reviewedBy: { id: reviewer.id, name: reviewer.name },
  createdAt: onboardingAnswers.createdAt,
  updatedAt: onboardingAnswers.updatedAt,
};

/** The stored text columns hold the contract's values (the input schema let nothing else in). */
const typed = <T extends { level: string; preferredFormat: string; skillPriorities: Record<string, number> }>(
  row: T,
) => ({
  ...row,
  level: row.level as (typeof CEFR_LEVELS)[number],
  preferredFormat: row.preferredFormat as LessonFormat,
  skillPriorities: row.skillPriorities as Record<Skill, number>,
});

async function readAnswers(db: DbOrTx, learnerId: string) {
  const [row] = await db
    .select(answerColumns)
    .from(onboardingAnswers)
    .leftJoin(reviewer, eq(reviewer.id, onboardingAnswers.reviewedBy))
    .where(eq(onboardingAnswers.learnerId, learnerId));
  return row ? typed(row) : null;
}

/** The learner's own answers, or null before they have answered. */
export function getOwnOnboarding(db: Db, viewer: Viewer) {
  return readAnswers(db, viewer.id);
}

/** A learner's answers for the learner, their teachers and admins; null if not answered yet. */
export async function getOnboardingFor(db: Db, viewer: Viewer, learnerId: string) {
  await requireLearnerAccess(db, viewer, learnerId, learnerNotFound());
  return readAnswers(db, learnerId);
}

/**
 * Creates or replaces the learner's answers and sets their profile time zone, in one transaction.
 * Changed answers need a fresh review, so a change clears the earlier one.
 */
export async function saveOnboarding(db: Db, viewer: Viewer, input: SaveOnboardingInput) {
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(onboardingAnswers)
      .where(eq(onboardingAnswers.learnerId, viewer.id))
      .for("update");
    const values = {
      timezone: input.timezone,
      goals: input.goals,
      level: input.level,
      skillPriorities: input.skillPriorities,
      availability: input.availability,
      preferredFormat: input.preferredFormat,
      notes: input.notes,
    };
    const now = new Date();
    if (!existing) {
      // A concurrent first save by the same learner conflicts on the primary key: a 409, not a 500.
      await tx.insert(onboardingAnswers).values({ learnerId: viewer.id, ...values });
    } else {
      const changed = (Object.keys(values) as (keyof typeof values)[]).some((k) =>
        k === "skillPriorities"
          ? SKILLS.some((skill) => existing.skillPriorities[skill] !== values.skillPriorities[skill])
          : existing[k] !== values[k],
      );
      await tx
        .update(onboardingAnswers)
        .set({ ...values, updatedAt: now, ...(changed ? { reviewedBy: null, reviewedAt: null } : {}) })
        .where(eq(onboardingAnswers.learnerId, viewer.id));
    }
    await tx.update(users).set({ timezone: input.timezone, updatedAt: now }).where(eq(users.id, viewer.id));
  });
  return readAnswers(db, viewer.id);
}

/** A teacher of the learner or an admin marks the answers as read; audited. */
export async function markOnboardingReviewed(db: Db, viewer: Viewer, learnerId: string) {
  await db.transaction(async (tx) => {
    await requireLearnerAccess(tx, viewer, learnerId, learnerNotFound());
    const [before] = await tx
      .select({ reviewedBy: onboardingAnswers.reviewedBy, reviewedAt: onboardingAnswers.reviewedAt })
      .from(onboardingAnswers)
      .where(eq(onboardingAnswers.learnerId, learnerId))
      .for("update");
    if (!before) throw new AppError("NOT_FOUND", "This learner has not answered the onboarding questions yet");
    if (before.reviewedAt) return;
    const reviewedAt = new Date();
    await tx
      .update(onboardingAnswers)
      .set({ reviewedBy: viewer.id, reviewedAt })
      .where(eq(onboardingAnswers.learnerId, learnerId));
    await recordAudit(tx, {
      actorId: viewer.id,
      action: "onboarding.review",
      targetType: "user",
      targetId: learnerId,
      before,
      after: { reviewedBy: viewer.id, reviewedAt },
      ipAddress: viewer.ip ?? null,
    });
  });
  return readAnswers(db, learnerId);
}

/** The review queue: unreviewed first (oldest first), then reviewed (newest review first). */
export async function listOnboarding(db: Db, viewer: Viewer, input: ListOnboardingInput) {
  const learner = alias(users, "learner");
  const where = and(
    learnerScope(viewer, onboardingAnswers.learnerId),
    input.reviewed === undefined
      ? undefined
      : input.reviewed
        ? isNotNull(onboardingAnswers.reviewedAt)
        : isNull(onboardingAnswers.reviewedAt),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({
        ...answerColumns,
        learner: { id: learner.id, name: learner.name, email: learner.email },
      })
      .from(onboardingAnswers)
      .innerJoin(learner, eq(learner.id, onboardingAnswers.learnerId))
      .leftJoin(reviewer, eq(reviewer.id, onboardingAnswers.reviewedBy))
      .where(where)
      .orderBy(
        sql`${onboardingAnswers.reviewedAt} is not null`,
        desc(onboardingAnswers.reviewedAt),
        asc(onboardingAnswers.updatedAt),
        asc(onboardingAnswers.learnerId),
      )
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(onboardingAnswers).where(where),
  ]);
  const items = rows.map(({ learner, ...answers }) => ({
    ...typed(answers),
    // Teachers see their learners' names; addresses are for admins.
    learner: { id: learner.id, name: learner.name, email: viewer.role === "admin" ? learner.email : null },
  }));
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
