import type { ListAuditInput } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, count, desc, eq, gte, ilike, lte } from "drizzle-orm";

export interface AuditEntry {
  actorId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  ipAddress?: string | null;
}

/** Writes one audit row; call it inside the transaction of the action it records. */
export async function recordAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(schema.auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ipAddress: entry.ipAddress ?? null,
  });
}

export async function listAudit(db: DbOrTx, input: ListAuditInput) {
  const { auditLog, users } = schema;
  const where = and(
    input.actorId ? eq(auditLog.actorId, input.actorId) : undefined,
    input.targetId ? eq(auditLog.targetId, input.targetId) : undefined,
    input.action ? ilike(auditLog.action, containsPattern(input.action)) : undefined,
    input.from ? gte(auditLog.createdAt, input.from) : undefined,
    input.to ? lte(auditLog.createdAt, input.to) : undefined,
  );
  const [items, [total]] = await Promise.all([
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
      })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .where(where)
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(auditLog).where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
