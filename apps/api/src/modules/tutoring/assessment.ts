import {
  type CEFR_LEVELS,
  countWords,
  type ListAssessmentsInput,
  type ReviewAssessmentInput,
  type SubmitAssessmentInput,
} from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit/service.ts";
import { learnerScope, requireLearnerAccess, type Viewer } from "./onboarding.ts";

const { writingAssessments, users } = schema;

const EXCERPT_CHARS = 200;

const notFound = () => new AppError("ASSESSMENT_NOT_FOUND", "No assessment of yours with that id");

const learner = alias(users, "learner");
const reviewer = alias(users, "reviewer");

const columns = {
  id: writingAssessments.id,
  learner: { id: learner.id, name: learner.name },
  text: writingAssessments.text,
  wordCount: writingAssessments.wordCount,
  status: writingAssessments.status,
  cefrLevel: writingAssessments.cefrLevel,
  reviewComments: writingAssessments.reviewComments,
  reviewedAt: writingAssessments.reviewedAt,
  reviewedBy: { id: reviewer.id, name: reviewer.name },
  createdAt: writingAssessments.createdAt,
};

/** Assessments with their learner and reviewer. */
const selectAssessments = (db: DbOrTx) =>
  db
    .select(columns)
    .from(writingAssessments)
    .innerJoin(learner, eq(learner.id, writingAssessments.learnerId))
    .leftJoin(reviewer, eq(reviewer.id, writingAssessments.reviewedBy));

/** cefr_level holds a CEFR level or null (a CHECK constraint says so). */
const typed = <T extends { cefrLevel: string | null }>(row: T) => ({
  ...row,
  cefrLevel: row.cefrLevel as (typeof CEFR_LEVELS)[number] | null,
});

async function readAssessment(db: DbOrTx, id: string) {
  const [row] = await selectAssessments(db).where(eq(writingAssessments.id, id));
  return row ? typed(row) : undefined;
}

/** The input schema has already checked 1–ASSESSMENT_MAX_WORDS words; the count is stored as counted here. */
export async function submitAssessment(db: Db, viewer: Viewer, input: SubmitAssessmentInput) {
  const [row] = await db
    .insert(writingAssessments)
    .values({ learnerId: viewer.id, text: input.text, wordCount: countWords(input.text) })
    .returning({ id: writingAssessments.id });
  if (!row) throw new Error("assessment insert returned nothing");
  return requireAssessment(db, row.id);
}

async function requireAssessment(db: DbOrTx, id: string) {
  const row = await readAssessment(db, id);
  if (!row) throw notFound();
  return row;
}

/** The learner's own assessments, newest first, with their results. */
export async function listOwnAssessments(db: Db, viewer: Viewer) {
  const rows = await selectAssessments(db)
    .where(eq(writingAssessments.learnerId, viewer.id))
    .orderBy(desc(writingAssessments.createdAt), desc(writingAssessments.id));
  return rows.map(typed);
}

/** One assessment, for its learner, the learner's teachers and admins (404 for anyone else). */
export async function getAssessment(db: Db, viewer: Viewer, id: string) {
  const row = await requireAssessment(db, id);
  await requireLearnerAccess(db, viewer, row.learner.id, notFound());
  return row;
}

/** A teacher of the learner or an admin gives the level and comments, once; audited. */
export async function reviewAssessment(db: Db, viewer: Viewer, input: ReviewAssessmentInput) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ learnerId: writingAssessments.learnerId, status: writingAssessments.status })
      .from(writingAssessments)
      .where(eq(writingAssessments.id, input.assessmentId))
      .for("update");
    if (!row) throw notFound();
    await requireLearnerAccess(tx, viewer, row.learnerId, notFound());
    if (row.status === "reviewed") throw new AppError("ALREADY_REVIEWED", "This assessment has already been reviewed");
    const after = {
      status: "reviewed" as const,
      cefrLevel: input.cefrLevel,
      reviewComments: input.comments,
      reviewedBy: viewer.id,
      reviewedAt: new Date(),
    };
    await tx
      .update(writingAssessments)
      .set({ ...after, updatedAt: after.reviewedAt })
      .where(eq(writingAssessments.id, input.assessmentId));
    await recordAudit(tx, {
      actorId: viewer.id,
      action: "assessment.review",
      targetType: "assessment",
      targetId: input.assessmentId,
      before: { status: row.status },
      after: { ...after, learnerId: row.learnerId },
      ipAddress: viewer.ip ?? null,
    });
  });
  return requireAssessment(db, input.assessmentId);
}

/** The review queue: submitted first (oldest first), then reviewed (newest review first). */
export async function listAssessments(db: Db, viewer: Viewer, input: ListAssessmentsInput) {
  const where = and(
    learnerScope(viewer, writingAssessments.learnerId),
    input.status ? eq(writingAssessments.status, input.status) : undefined,
    input.learnerId ? eq(writingAssessments.learnerId, input.learnerId) : undefined,
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({ ...columns, learnerEmail: learner.email })
      .from(writingAssessments)
      .innerJoin(learner, eq(learner.id, writingAssessments.learnerId))
      .leftJoin(reviewer, eq(reviewer.id, writingAssessments.reviewedBy))
      .where(where)
      .orderBy(
        sql`${writingAssessments.status} = 'reviewed'`,
        desc(writingAssessments.reviewedAt),
        asc(writingAssessments.createdAt),
        asc(writingAssessments.id),
      )
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(writingAssessments).where(where),
  ]);
  const items = rows.map(({ text, learnerEmail, learner, ...rest }) => ({
    ...typed(rest),
    excerpt: text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text,
    // Teachers see their learners' names; addresses are for admins.
    learner: { ...learner, email: viewer.role === "admin" ? learnerEmail : null },
  }));
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
