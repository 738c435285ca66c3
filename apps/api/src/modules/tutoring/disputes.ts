import type {
  AdminListDisputesInput,
  AdminResolveDisputeInput,
  AdminReverseSessionInput,
  ReportTeacherAbsentInput,
} from "@lectern/api-contract";
import type { Db, DbOrTx, Tx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, asc, count, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import * as recipes from "../ledger/recipes.ts";
import { consumedCredits, lockHeldCredits, post } from "../ledger/service.ts";
import { enqueueEmail } from "../notifications/service.ts";
import type { EmailTemplate } from "../notifications/templates.ts";
import { adminGetSession } from "./admin-sessions.ts";
import { noShowFrom, teacherAbsentReportUntil } from "./policy.ts";
import { formatWhen, removeReminders, sessionWithPeople } from "./reminders.ts";
import {
  type Actor,
  audit,
  type Clock,
  cancelLocked,
  completeLocked,
  getSession,
  lockOwnSession,
  lockSession,
  nowOf,
  requireBooked,
  requireNoOpenDispute,
  requireParty,
  returnCredit,
  SESSION_REFERENCE,
  type SessionRow,
  selectViews,
  toAdminView,
} from "./sessions.ts";

/**
 * No-shows, the dispute queue and reversals. The teacher marks an absent learner (the session
 * completes, credit used, teacher paid); the learner reports an absent teacher (the session waits
 * for an admin, out of auto-completion); an admin refunds or completes a dispute, or reverses a
 * completed session with new, reversing ledger transactions. Every step is audited.
 */

const { tutoringSessions: S, ledgerAccounts, ledgerEntries, ledgerTransactions } = schema;

type Mail = (people: { withName: string; when: string; name: string }) => EmailTemplate;

/** Emails the learner and/or the teacher of a session, each in their own language and time zone. */
async function notify(tx: Tx, sessionId: string, to: ("learner" | "teacher")[], mail: Mail) {
  const row = await sessionWithPeople(tx, sessionId);
  if (!row) return;
  for (const who of to) {
    const [me, other] = who === "learner" ? [row.learner, row.teacher] : [row.teacher, row.learner];
    await enqueueEmail(
      tx,
      { userId: me.id, email: me.email, locale: me.locale },
      mail({ name: me.name, withName: other.name, when: formatWhen(row.session.startsAt, me.timezone, me.locale) }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// No-shows

/** The teacher, from a few minutes after the start: the learner did not come. Completes the session. */
export async function markLearnerAbsent(db: Db, actor: Actor, sessionId: string, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, sessionId);
    requireParty(party, "teacher");
    requireBooked(row);
    requireNoOpenDispute(row);
    const from = noShowFrom(row.startsAt);
    if (now.getTime() < from.getTime())
      throw new AppError("NO_SHOW_TOO_EARLY", `The learner can be marked absent from ${from.toISOString()}`);
    await tx.update(S).set({ learnerAbsentAt: now }).where(eq(S.id, row.id));
    await completeLocked(tx, row, { actor, now, automatic: false });
    await audit(tx, actor, "tutoring.session.learner_absent", row.id, null, { learnerAbsentAt: now.toISOString() });
    await notify(tx, row.id, ["learner"], (p) => ({ template: "session-learner-absent", ...p }));
  });
  return getSession(db, actor, sessionId, { now });
}

/**
 * The learner, from a few minutes after the start until a day after the end: the teacher did not
 * come. A booked session then waits for an admin instead of completing; a completed one (the
 * teacher reported or marked the learner absent) goes to the same queue, where a refund reverses it.
 */
export async function reportTeacherAbsent(db: Db, actor: Actor, input: ReportTeacherAbsentInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const { row, party } = await lockOwnSession(tx, actor, input.sessionId);
    requireParty(party, "learner");
    if (row.teacherAbsentReportedAt !== null)
      throw new AppError("SESSION_DISPUTED", "You have already reported this session");
    if (row.status === "cancelled" || row.reversedAt !== null)
      throw new AppError("SESSION_NOT_BOOKED", "This session was cancelled");
    const from = noShowFrom(row.startsAt);
    if (now.getTime() < from.getTime())
      throw new AppError(
        "NO_SHOW_TOO_EARLY",
        `You can report that the teacher did not come from ${from.toISOString()}`,
      );
    const until = teacherAbsentReportUntil(row.endsAt);
    if (now.getTime() > until.getTime())
      throw new AppError("NO_SHOW_WINDOW_CLOSED", `Reports were accepted until ${until.toISOString()}`);
    const note = input.note || null;
    await tx
      .update(S)
      .set({ teacherAbsentReportedAt: now, teacherAbsentNote: note, updatedAt: now })
      .where(eq(S.id, row.id));
    await audit(tx, actor, "tutoring.session.teacher_absent", row.id, { status: row.status }, { note });
    await notify(tx, row.id, ["teacher"], (p) => ({ template: "session-teacher-absent-reported", ...p }));
  });
  return getSession(db, actor, input.sessionId, { now });
}

// ---------------------------------------------------------------------------------------------
// The admin's dispute queue

const openDispute = and(isNotNull(S.teacherAbsentReportedAt), isNull(S.disputeResolvedAt));
const resolvedDispute = isNotNull(S.disputeResolvedAt);

/** Open disputes oldest first (the queue); resolved ones newest first. */
export async function adminListDisputes(db: Db, admin: Actor, input: AdminListDisputesInput, clock: Clock = {}) {
  const now = nowOf(clock);
  const where = input.state === "open" ? openDispute : resolvedDispute;
  const order =
    input.state === "open" ? [asc(S.teacherAbsentReportedAt), asc(S.id)] : [desc(S.disputeResolvedAt), asc(S.id)];
  const offset = (input.page - 1) * input.pageSize;
  const rows = await selectViews(db)
    .where(where)
    .orderBy(...order)
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(rows.length, input.pageSize, offset, async () => {
    const [counted] = await db.select({ value: count() }).from(S).where(where);
    return counted?.value ?? 0;
  });
  return {
    items: rows.map((r) => toAdminView(r, admin, now)),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}

/**
 * refund: a booked session is cancelled with its credit returned; a completed one is reversed.
 * complete: a booked session completes (credit used, teacher paid); a completed one stays so.
 * Both people are emailed.
 */
export async function adminResolveDispute(db: Db, admin: Actor, input: AdminResolveDisputeInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const row = await lockSession(tx, input.sessionId);
    if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
    if (row.teacherAbsentReportedAt === null || row.disputeResolvedAt !== null)
      throw new AppError("DISPUTE_NOT_OPEN", "This session has no open dispute");
    await tx
      .update(S)
      .set({
        disputeResolution: input.resolution,
        disputeResolvedAt: now,
        disputeResolvedBy: admin.id,
        disputeNote: input.note,
        updatedAt: now,
      })
      .where(eq(S.id, row.id));
    if (input.resolution === "complete") {
      if (row.status === "booked") await completeLocked(tx, row, { actor: admin, now, automatic: false });
    } else if (row.status === "booked") {
      await refundBooked(tx, row, admin, input.note, now);
    } else if (row.status === "completed") {
      await reverseLocked(tx, row, admin, input.note, now);
    }
    await audit(
      tx,
      admin,
      "tutoring.session.dispute.resolve",
      row.id,
      { status: row.status, creditOutcome: row.creditOutcome },
      { resolution: input.resolution, note: input.note },
    );
    await notify(tx, row.id, ["learner", "teacher"], (p) => ({
      template: "session-dispute-resolved",
      ...p,
      resolution: input.resolution,
      note: input.note,
    }));
  });
  return adminGetSession(db, admin, input.sessionId, { now });
}

/** A disputed, still booked session ends cancelled with the reserved credit back on its lot. */
async function refundBooked(tx: Tx, row: SessionRow, admin: Actor, reason: string, now: Date) {
  if (row.creditOutcome === "reserved") await returnCredit(tx, row, admin.id, { now });
  await tx
    .update(S)
    .set({
      status: "cancelled",
      creditOutcome: row.creditOutcome === "reserved" ? "refunded" : row.creditOutcome,
      cancelledBy: admin.id,
      cancelledAt: now,
      cancelReason: reason,
      updatedAt: now,
    })
    .where(eq(S.id, row.id));
  await removeReminders(tx, row.id);
}

// ---------------------------------------------------------------------------------------------
// Reversal

/** Undoes a completed session; both people are emailed. */
export async function adminReverseSession(db: Db, admin: Actor, input: AdminReverseSessionInput, clock: Clock = {}) {
  const now = nowOf(clock);
  await db.transaction(async (tx) => {
    const row = await lockSession(tx, input.sessionId);
    if (!row) throw new AppError("SESSION_NOT_FOUND", "No such session");
    requireNoOpenDispute(row);
    await reverseLocked(tx, row, admin, input.reason, now);
    await notify(tx, row.id, ["learner", "teacher"], (p) => ({
      template: "session-reversed",
      ...p,
      reason: input.reason,
    }));
  });
  return adminGetSession(db, admin, input.sessionId, { now });
}

/** What the session's own ledger transactions left on accounts of one kind, per account. */
async function netBySession(tx: DbOrTx, sessionId: string, where: ReturnType<typeof and>) {
  return tx
    .select({
      accountId: ledgerEntries.accountId,
      currency: ledgerEntries.currency,
      amount: sql<string>`sum(${ledgerEntries.amount})::text`,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
    .where(
      and(
        eq(ledgerTransactions.referenceType, SESSION_REFERENCE),
        eq(ledgerTransactions.referenceId, sessionId),
        where,
      ),
    )
    .groupBy(ledgerEntries.accountId, ledgerEntries.currency)
    .having(gt(sql`sum(${ledgerEntries.amount})`, 0));
}

/**
 * Reverses a completed session with new transactions that mirror what its completion posted: the
 * consumed credit goes back to its lot, the teacher's pay goes back to payroll. Amounts are read
 * from the session's own postings, so they match whatever was posted. The earnings account is the
 * teacher's and can never go negative: if they no longer hold the amount (paid out), the reversal
 * is refused with EARNINGS_ALREADY_PAID_OUT and nothing moves.
 */
async function reverseLocked(tx: Tx, row: SessionRow, admin: Actor, reason: string, now: Date) {
  if (row.reversedAt !== null) throw new AppError("ALREADY_REVERSED", "This session has already been reversed");
  if (row.status !== "completed")
    throw new AppError("SESSION_NOT_COMPLETED", "Only a completed session can be reversed");
  const reference = { type: SESSION_REFERENCE, id: row.id };
  // The learner's held credits before the teacher's wallet, as completion takes them (credits.ts).
  await lockHeldCredits(tx, row.learnerId);

  const earnings = await netBySession(
    tx,
    row.id,
    and(eq(ledgerAccounts.ownerId, row.teacherId), eq(ledgerAccounts.kind, "wallet")),
  );
  for (const e of earnings) {
    const amount = Number(e.amount);
    const [account] = await tx
      .select({ balance: ledgerAccounts.balance })
      .from(ledgerAccounts)
      .where(eq(ledgerAccounts.id, e.accountId))
      .for("update");
    if ((account?.balance ?? 0) < amount)
      throw new AppError(
        "EARNINGS_ALREADY_PAID_OUT",
        "The teacher no longer holds this session's pay (already paid out): it cannot be taken back here",
      );
  }

  // The consumed credit is held again, then goes home by the same rule as an admin's
  // cancellation (its lot, or a new one if that lot has expired meanwhile).
  const credits = await consumedCredits(tx, reference);
  let creditOutcome = row.creditOutcome;
  if (credits > 0 && row.creditLotId) {
    await post(
      tx,
      recipes.unconsumeCredit(
        { learnerId: row.learnerId, credits },
        {
          description: "Credit use undone by reversing a completed session",
          actorId: admin.id,
          reference,
          metadata: { reason },
        },
      ),
    );
    await returnCredit(tx, { ...row, credits }, admin.id, { now });
    creditOutcome = "refunded";
  }
  for (const e of earnings) {
    await post(
      tx,
      recipes.reverseEarnings(
        { teacherId: row.teacherId, currency: e.currency, amount: Number(e.amount) },
        {
          description: `Teacher pay taken back: a ${row.durationMinutes}-minute session was reversed`,
          actorId: admin.id,
          reference,
          metadata: { reason },
        },
      ),
    );
  }

  // The session no longer counts: cancelled, with the reversal kept beside its completion.
  await tx
    .update(S)
    .set({
      status: "cancelled",
      creditOutcome,
      cancelledBy: admin.id,
      cancelledAt: now,
      cancelReason: reason,
      reversedAt: now,
      reversedBy: admin.id,
      reversalReason: reason,
      updatedAt: now,
    })
    .where(eq(S.id, row.id));
  await audit(
    tx,
    admin,
    "tutoring.session.reverse",
    row.id,
    { status: row.status, creditOutcome: row.creditOutcome },
    {
      status: "cancelled",
      creditOutcome,
      reason,
      earningsReversed: earnings.map((e) => ({ amountMinor: Number(e.amount), currency: e.currency })),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Disabling a teacher

/**
 * In the disabling transaction: every booked session of the teacher that has not ended is
 * cancelled as by an admin (credit returned, both people emailed). Locks in id order.
 */
export async function cancelTeacherUpcomingSessions(
  tx: Tx,
  admin: { id: string; ip?: string | null },
  teacherId: string,
  reason: string,
  now: Date,
) {
  const rows = await tx
    .select()
    .from(S)
    .where(and(eq(S.teacherId, teacherId), eq(S.status, "booked"), gt(S.endsAt, now)))
    .orderBy(asc(S.id))
    .for("update");
  for (const row of rows) await cancelLocked(tx, row, "admin", admin, reason, now);
  return rows.length;
}
