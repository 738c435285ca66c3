import { AsyncLocalStorage } from "node:async_hooks";
import type { AuditAction, ListAuditInput } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { containsPattern, runStatement, schema } from "@lectern/db";
import { and, count, desc, eq, gte, ilike, lte, or, sql } from "drizzle-orm";
import { alias, type PgSelect } from "drizzle-orm/pg-core";
import { pageTotal } from "../../pagination.ts";

export interface AuditEntry {
  actorId: string | null;
  /** One of the contract's list, so the console has a label for every row. */
  action: AuditAction;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  ipAddress?: string | null;
}

/** Who is behind the request being served: set once per request, so every audit row in it names them. */
interface AuditScope {
  /** the admin when the request comes from an impersonated session */
  impersonatorId: string | null;
}
const auditScope = new AsyncLocalStorage<AuditScope>();

/** Runs a request's work so that the audit rows it writes carry its impersonator. */
export const withAuditScope = <T>(scope: AuditScope, work: () => T): T => auditScope.run(scope, work);

/**
 * Writes one audit row; call it inside the transaction of the action it records. While an admin
 * impersonates, a row whose actor is the impersonated user also names the admin.
 */
export async function recordAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  const impersonatorId = auditScope.getStore()?.impersonatorId ?? null;
  await runStatement(tx, INSERT_AUDIT, [
    entry.actorId,
    impersonatorId !== entry.actorId ? impersonatorId : null,
    entry.action,
    entry.targetType,
    entry.targetId ?? null,
    jsonOrNull(entry.before),
    jsonOrNull(entry.after),
    entry.ipAddress ?? null,
  ]);
}

// Written on every audited action: a named statement, built once.
const INSERT_AUDIT = {
  name: "audit_insert",
  text: `insert into audit_log (actor_id, impersonator_id, action, target_type, target_id, before, after, ip_address)
    values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`,
};
const jsonOrNull = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

// The people and things a row's target names, so the log reads as names rather than ids.
const targetUser = alias(schema.users, "target_user");
const targetSession = alias(schema.tutoringSessions, "target_session");
const targetAssessment = alias(schema.writingAssessments, "target_assessment");
const targetPack = alias(schema.creditPacks, "target_pack");
const sessionLearner = alias(schema.users, "session_learner");
const sessionTeacher = alias(schema.users, "session_teacher");
const impersonator = alias(schema.users, "impersonator");
const assessmentLearner = alias(schema.users, "assessment_learner");

/** The audit log, newest first, with actors and targets by name and email. */
export async function listAudit(db: DbOrTx, input: ListAuditInput) {
  const { auditLog, users } = schema;
  const where = and(
    input.actorId ? eq(auditLog.actorId, input.actorId) : undefined,
    input.targetId ? eq(auditLog.targetId, input.targetId) : undefined,
    input.personId
      ? or(
          eq(targetUser.id, input.personId),
          eq(targetSession.learnerId, input.personId),
          eq(targetSession.teacherId, input.personId),
          eq(targetAssessment.learnerId, input.personId),
        )
      : undefined,
    input.action ? ilike(auditLog.action, containsPattern(input.action)) : undefined,
    input.from ? gte(auditLog.createdAt, input.from) : undefined,
    input.to ? lte(auditLog.createdAt, input.to) : undefined,
  );
  // Target ids are text (of any kind); each join applies only to rows of its target type, and
  // compares as a uuid so it finds its row by primary key.
  const targetUuid = (type: string) =>
    sql`(case when ${auditLog.targetType} = ${type} then ${auditLog.targetId}::uuid end)`;
  const withTargets = <Q extends PgSelect>(query: Q) =>
    query
      .leftJoin(targetUser, and(eq(auditLog.targetType, "user"), eq(targetUser.id, auditLog.targetId)))
      .leftJoin(targetSession, eq(targetSession.id, targetUuid("tutoring_session")))
      .leftJoin(sessionLearner, eq(sessionLearner.id, targetSession.learnerId))
      .leftJoin(sessionTeacher, eq(sessionTeacher.id, targetSession.teacherId))
      .leftJoin(targetAssessment, eq(targetAssessment.id, targetUuid("assessment")))
      .leftJoin(assessmentLearner, eq(assessmentLearner.id, targetAssessment.learnerId))
      .leftJoin(targetPack, eq(targetPack.id, targetUuid("credit_pack")));
  const offset = (input.page - 1) * input.pageSize;
  const rows = await withTargets(
    db
      .select({
        id: auditLog.id,
        action: auditLog.action,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
        before: auditLog.before,
        after: auditLog.after,
        ipAddress: auditLog.ipAddress,
        createdAt: auditLog.createdAt,
        actor: { id: users.id, name: users.name, email: users.email },
        /** the admin who acted as the actor (an impersonated session) */
        impersonator: { id: impersonator.id, name: impersonator.name, email: impersonator.email },
        targetUser: { id: targetUser.id, name: targetUser.name, email: targetUser.email },
        sessionLearner: { id: sessionLearner.id, name: sessionLearner.name, email: sessionLearner.email },
        sessionTeacher: { id: sessionTeacher.id, name: sessionTeacher.name, email: sessionTeacher.email },
        assessmentLearner: { id: assessmentLearner.id, name: assessmentLearner.name, email: assessmentLearner.email },
        packName: targetPack.name,
      })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .leftJoin(impersonator, eq(impersonator.id, auditLog.impersonatorId))
      .$dynamic(),
  )
    .where(where)
    // "nulls last" as in audit_log_created_at_idx, so the newest rows are read from it in order.
    .orderBy(sql`${auditLog.createdAt} desc nulls last`, desc(auditLog.id))
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(rows.length, input.pageSize, offset, async () => {
    // The target joins only matter to the count when the filter names a person through them.
    const from = db.select({ value: count() }).from(auditLog).$dynamic();
    const [counted] = await (input.personId ? withTargets(from) : from).where(where);
    return counted?.value ?? 0;
  });
  const items = rows.map(({ targetUser, sessionLearner, sessionTeacher, assessmentLearner, packName, ...row }) => ({
    ...row,
    target: {
      /** The people the target is about: the user, the session's learner and teacher, the assessment's writer. */
      people: [targetUser, sessionLearner, sessionTeacher, assessmentLearner].filter((p) => p !== null),
      /** A name for a target that is not a person (a credit pack). */
      name: packName,
    },
  }));
  return { items, total, page: input.page, pageSize: input.pageSize };
}
