import type {
  AdminCancelSessionInput,
  AdminCreateSessionInput,
  AdminDeleteSessionInput,
  AdminListSessionsInput,
  AdminUpdateSessionInput,
} from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, asc, count, desc, eq, gte, ilike, lt, or, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import { removeReminders, scheduleReminders } from "./reminders.ts";
import { notifySessionChange } from "./session-emails.ts";
import {
  type Actor,
  addTeacherRating,
  audit,
  auditSummary,
  type Clock,
  cancelLocked,
  createSession,
  lockSession,
  nowOf,
  requireTeacher,
  requireWholeMinute,
  SESSION_REFERENCE,
  selectViews,
  toAdminView,
  viewRow,
} from "./sessions.ts";
import { MINUTE_MS } from "./zoned-time.ts";

const { tutoringSessions: S, users, ledgerTransactions } = schema;

/**
 * Admins see and run every session. They may place one outside the teacher's availability, but
 * never over another session (the exclusion constraints still hold), and their cancellations
 * always return the credit. Every action writes an audit row.
 */

const teacherUser = alias(users, "teacher_user");
const learnerUser = alias(users, "learner_user");

export async function adminListSessions(db: Db, admin: Actor, input: AdminListSessionsInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const filters: (SQL | undefined)[] = [
    input.teacherId ? eq(S.teacherId, input.teacherId) : undefined,
    input.learnerId ? eq(S.learnerId, input.learnerId) : undefined,
    input.from ? gte(S.startsAt, input.from) : undefined,
    input.to ? lt(S.startsAt, input.to) : undefined,
    input.status ? eq(S.status, input.status) : undefined,
  ];
  if (input.query) {
    const pattern = containsPattern(input.query);
    filters.push(
      or(
        ilike(teacherUser.name, pattern),
        ilike(teacherUser.email, pattern),
        ilike(learnerUser.name, pattern),
        ilike(learnerUser.email, pattern),
        ilike(S.notes, pattern),
      ),
    );
  }
  const where = and(...filters);
  const offset = (input.page - 1) * input.pageSize;
  const rows = await selectViews(db)
    .where(where)
    .orderBy(desc(S.startsAt), asc(S.id))
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(rows.length, input.pageSize, offset, async () => {
    // Every session has its two people: the joins are needed only to search their names.
    const counted = input.query
      ? db
          .select({ value: count() })
          .from(S)
          .innerJoin(teacherUser, eq(teacherUser.id, S.teacherId))
          .innerJoin(learnerUser, eq(learnerUser.id, S.learnerId))
          .where(where)
      : db.select({ value: count() }).from(S).where(where);
    return (await counted)[0]?.value ?? 0;
  });
  return {
    items: rows.map((r) => toAdminView(r, admin, now)),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}

/** One session with the ledger transactions that reference it. */
export async function adminGetSession(db: Db, admin: Actor, sessionId: string, clock: Clock = {}) {
  const row = await viewRow(db, sessionId);
  if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
  const ledger = await db
    .select({
      id: ledgerTransactions.id,
      kind: ledgerTransactions.kind,
      description: ledgerTransactions.description,
      createdAt: ledgerTransactions.createdAt,
    })
    .from(ledgerTransactions)
    .where(and(eq(ledgerTransactions.referenceType, SESSION_REFERENCE), eq(ledgerTransactions.referenceId, sessionId)))
    .orderBy(asc(ledgerTransactions.createdAt), asc(ledgerTransactions.id));
  return { ...toAdminView(row, admin, nowOf(clock)), ledger };
}

function requireFuture(startsAt: Date, now: Date) {
  if (startsAt.getTime() <= now.getTime()) throw new AppError("TOO_SOON", "A session must start in the future");
  requireWholeMinute(startsAt);
}

/** Books a session for a learner; without a credit only with overrideCredit and a written reason. */
export async function adminCreateSession(db: Db, admin: Actor, input: AdminCreateSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const [learner] = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.id, input.learnerId));
  if (learner?.role !== "learner") throw new AppError("LEARNER_NOT_FOUND", "No learner with that id");
  const teacher = await requireTeacher(db, input.teacherId);
  requireFuture(input.startsAt, now);
  const id = await db.transaction(async (tx) => {
    const session = await createSession(
      tx,
      {
        learnerId: learner.id,
        teacher,
        startsAt: input.startsAt,
        durationMinutes: input.durationMinutes,
        meetingUrl: input.meetingUrl,
        notes: input.notes || null,
        withCredit: !input.overrideCredit,
        createdBy: admin.id,
      },
      now,
    );
    await audit(tx, admin, "tutoring.session.create", session.id, null, {
      ...auditSummary(session),
      overrideCredit: input.overrideCredit,
      reason: input.reason ?? null,
    });
    return session.id;
  });
  return adminGetSession(db, admin, id, { now });
}

/**
 * Edits time, length, teacher, meeting link or notes. Moving or reassigning needs a booked session
 * and a future start; a new teacher's current rate becomes the snapshot. The credit is unchanged.
 */
export async function adminUpdateSession(db: Db, admin: Actor, input: AdminUpdateSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const row = await lockSession(tx, input.sessionId);
    if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
    const startsAt = input.startsAt ?? row.startsAt;
    const durationMinutes = input.durationMinutes ?? row.durationMinutes;
    const teacherId = input.teacherId ?? row.teacherId;
    const moved = startsAt.getTime() !== row.startsAt.getTime() || durationMinutes !== row.durationMinutes;
    const reassigned = teacherId !== row.teacherId;
    const patch: Partial<typeof S.$inferInsert> = {};
    if (moved || reassigned) {
      if (row.status !== "booked")
        throw new AppError("SESSION_NOT_BOOKED", "Only a booked session can be moved or reassigned");
      requireFuture(startsAt, now);
      patch.startsAt = startsAt;
      patch.endsAt = new Date(startsAt.getTime() + durationMinutes * MINUTE_MS);
      patch.durationMinutes = durationMinutes;
    }
    if (reassigned) {
      const teacher = await requireTeacher(tx, teacherId);
      patch.teacherId = teacher.id;
      patch.hourlyRateMinor = teacher.hourlyRateMinor;
      patch.rateCurrency = teacher.rateCurrency;
    }
    if (input.meetingUrl !== undefined && input.meetingUrl !== row.meetingUrl) patch.meetingUrl = input.meetingUrl;
    if (input.notes !== undefined && (input.notes || null) !== row.notes) patch.notes = input.notes || null;
    if (Object.keys(patch).length === 0) return;
    const [updated] = await tx
      .update(S)
      .set({ ...patch, updatedAt: now })
      .where(eq(S.id, row.id))
      .returning();
    if (!updated) throw new Error("session update returned nothing");
    if (moved) await scheduleReminders(tx, updated, now);
    if (moved || reassigned)
      await notifySessionChange(tx, row.id, { kind: "rescheduled", previousStartsAt: row.startsAt }, now);
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, auditValue(row[k as keyof typeof row])]));
    const after = Object.fromEntries(
      Object.keys(patch).map((k) => [k, auditValue(updated[k as keyof typeof updated])]),
    );
    await audit(tx, admin, "tutoring.session.update", row.id, before, after);
  });
  return adminGetSession(db, admin, input.sessionId, { now });
}

const auditValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** An admin cancellation always returns the credit. */
export async function adminCancelSession(db: Db, admin: Actor, input: AdminCancelSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const row = await lockSession(tx, input.sessionId);
    if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
    await cancelLocked(tx, row, "admin", admin, input.reason, now);
  });
  return adminGetSession(db, admin, input.sessionId, { now });
}

/** Deletes a session that never moved credits or pay; anything else must be cancelled instead. */
export async function adminDeleteSession(db: Db, admin: Actor, input: AdminDeleteSessionInput) {
  await db.transaction(async (tx) => {
    const row = await lockSession(tx, input.sessionId);
    if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
    const [movement] = await tx
      .select({ id: ledgerTransactions.id })
      .from(ledgerTransactions)
      .where(and(eq(ledgerTransactions.referenceType, SESSION_REFERENCE), eq(ledgerTransactions.referenceId, row.id)))
      .limit(1);
    if (row.creditOutcome !== "none" || movement)
      throw new AppError("HAS_LEDGER_EFFECT", "This session moved credits or pay: cancel it instead of deleting it");
    await tx.delete(S).where(eq(S.id, row.id));
    // A completed session booked without a credit and unpaid can be rated: its rating goes with it.
    if (row.rating !== null) await addTeacherRating(tx, row.teacherId, row.rating, -1);
    await removeReminders(tx, row.id);
    await audit(tx, admin, "tutoring.session.delete", row.id, auditSummary(row), { reason: input.reason ?? null });
  });
  return { deleted: true as const };
}
