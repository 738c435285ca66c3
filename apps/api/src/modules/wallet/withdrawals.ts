import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import {
  type AdminListWithdrawalsInput,
  type ConfirmWithdrawalInput,
  CURRENCY_MINOR_DIGITS,
  type Currency,
  type ListWithdrawalsInput,
  type RequestWithdrawalInput,
  WITHDRAWAL_POLICY,
} from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db, DbOrTx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, asc, count, desc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { AppError, fromDatabaseError } from "../../errors.ts";
import { addJob } from "../../jobs/queue.ts";
import { recordAudit } from "../audit/service.ts";
import { holdWithdrawal, payOutWithdrawal, releaseWithdrawal, reverseWithdrawalPayout } from "../ledger/recipes.ts";
import { post } from "../ledger/service.ts";
import { enqueueEmail } from "../notifications/service.ts";
import { fraudFacts, scoreWithdrawal } from "./fraud.ts";
import { addUsage, checkAmount, limitsFor, releaseUsage, usageDay, usedToday } from "./limits.ts";
import { ownMethod } from "./payout-methods.ts";

/**
 * Withdrawals (DESIGN.md §4): a request checks the amount against the wallet and the limits and
 * emails a 6-digit code (stored hashed with a per-row salt, 10 minutes, 3 attempts); the confirming
 * transaction consumes the code, counts the day's usage, scores the fraud rules and holds the
 * amount (wallet → wallet_held, posted last). Then an admin reviews it or the payout job sends it;
 * paid moves the held amount out, rejected, cancelled or failed gives it back.
 */

const W = schema.withdrawals;
const M = schema.payoutMethods;
const { users } = schema;

export type Withdrawal = typeof W.$inferSelect;

export const PAYOUT_TASK = "withdrawals.payout";

/** "$25.00", "٢٥٫٠٠ US$": amounts in emails, in the recipient's language. */
export function formatAmount(amount: number, currency: string, locale: string) {
  const digits = CURRENCY_MINOR_DIGITS[currency as Currency] ?? 2;
  return new Intl.NumberFormat(locale === "ar" ? "ar-EG" : "en-US", { style: "currency", currency }).format(
    amount / 10 ** digits,
  );
}

const hashCode = (code: string, salt: string) => createHash("sha256").update(salt).update(code).digest();

function codeMatches(w: Withdrawal, code: string) {
  if (!w.codeHash || !w.codeSalt) return false;
  return timingSafeEqual(hashCode(code, w.codeSalt), Buffer.from(w.codeHash, "hex"));
}

/** What a creator sees of a withdrawal (never its code hash). */
const creatorColumns = {
  id: W.id,
  currency: W.currency,
  amount: W.amount,
  status: W.status,
  codeExpiresAt: W.codeExpiresAt,
  codeAttempts: W.codeAttempts,
  failureReason: W.failureReason,
  createdAt: W.createdAt,
  confirmedAt: W.confirmedAt,
  settledAt: W.settledAt,
  methodId: W.methodId,
  methodKind: M.kind,
  methodLabel: M.label,
};

async function creatorView(db: DbOrTx, id: string) {
  const [row] = await db.select(creatorColumns).from(W).innerJoin(M, eq(M.id, W.methodId)).where(eq(W.id, id));
  if (!row) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
  return row;
}

/** The user's available balance in a currency (0 before their wallet exists). */
export async function availableBalance(db: DbOrTx, userId: string, currency: string) {
  const [row] = await db
    .select({ balance: schema.ledgerAccounts.balance })
    .from(schema.ledgerAccounts)
    .where(
      and(
        eq(schema.ledgerAccounts.ownerId, userId),
        eq(schema.ledgerAccounts.kind, "wallet"),
        eq(schema.ledgerAccounts.currency, currency),
      ),
    );
  return row?.balance ?? 0;
}

async function recipient(db: DbOrTx, userId: string) {
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, locale: users.locale })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new Error(`user ${userId} missing`);
  return user;
}

/** Step 1: checks everything a confirmation will check again, stores the withdrawal and emails its code. */
export async function requestWithdrawal(
  db: Db,
  env: Pick<Env, "SMTP_URL">,
  userId: string,
  input: RequestWithdrawalInput,
  now = new Date(),
) {
  return db.transaction(async (tx) => {
    const method = await ownMethod(tx, userId, input.methodId);
    if (method.currency !== input.currency)
      throw new AppError("PAYOUT_METHOD_UNAVAILABLE", "This payout method pays out in another currency");
    if (method.status !== "ready")
      throw new AppError("PAYOUT_METHOD_NOT_READY", "Finish setting up this payout method first");
    const limits = await limitsFor(tx, input.currency);
    checkAmount(limits, input.amount, await usedToday(tx, userId, input.currency, now));
    if ((await availableBalance(tx, userId, input.currency)) < input.amount)
      throw new AppError("INSUFFICIENT_FUNDS", "Your wallet does not have that much available");
    const code = String(randomInt(0, 10 ** WITHDRAWAL_POLICY.codeDigits)).padStart(WITHDRAWAL_POLICY.codeDigits, "0");
    const salt = randomBytes(16).toString("hex");
    const [row] = await tx
      .insert(W)
      .values({
        userId,
        methodId: method.id,
        currency: input.currency,
        amount: input.amount,
        codeHash: hashCode(code, salt).toString("hex"),
        codeSalt: salt,
        codeExpiresAt: new Date(now.getTime() + WITHDRAWAL_POLICY.codeTtlMinutes * 60_000),
        createdAt: now,
      })
      .returning({ id: W.id });
    if (!row) throw new Error("withdrawal insert returned nothing");
    const user = await recipient(tx, userId);
    await enqueueEmail(
      tx,
      { userId, email: user.email, locale: user.locale },
      {
        template: "withdrawal-code",
        name: user.name,
        amount: formatAmount(input.amount, input.currency, user.locale),
        code,
        minutes: WITHDRAWAL_POLICY.codeTtlMinutes,
      },
      { smtp: Boolean(env.SMTP_URL) },
    );
    return creatorView(tx, row.id);
  });
}

/** Thrown inside the confirming transaction so that it rolls back; the attempt is counted outside it. */
class WrongCode extends Error {}

/**
 * Step 2, in ONE transaction: lock the withdrawal, check the code (expiry, attempts), consume it,
 * count the day's usage against the limit, score the fraud rules, queue the payout (or leave it for
 * review), and hold the amount — the posting last, so a balance spent meanwhile refuses the whole
 * thing (the ledger's CHECK: INSUFFICIENT_FUNDS). A wrong code is counted in its own transaction on
 * `attemptsDb` (the database outside any request-wide transaction, so the count survives the refusal);
 * the third cancels the withdrawal.
 */
export async function confirmWithdrawal(
  db: Db,
  attemptsDb: Db,
  userId: string,
  input: ConfirmWithdrawalInput,
  now = new Date(),
) {
  try {
    return await db.transaction(async (tx) => {
      const [w] = await tx
        .select()
        .from(W)
        .where(and(eq(W.id, input.withdrawalId), eq(W.userId, userId)))
        .for("update");
      if (!w) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
      if (w.status !== "awaiting_code")
        throw new AppError("WITHDRAWAL_NOT_AWAITING_CODE", "This withdrawal is not waiting for a code");
      if (w.codeExpiresAt <= now)
        throw new AppError("WITHDRAWAL_CODE_EXPIRED", "This code has expired: cancel and start again");
      if (!codeMatches(w, input.code)) throw new WrongCode();
      const limits = await limitsFor(tx, w.currency);
      // Limits may have changed since the request: the amount is checked again, the day's usage by the upsert.
      checkAmount(limits, w.amount, 0);
      const day = usageDay(now);
      await addUsage(tx, { userId, currency: w.currency, day, amount: w.amount, perDay: limits.perDay });
      const [method] = await tx.select({ createdAt: M.createdAt }).from(M).where(eq(M.id, w.methodId));
      if (!method) throw new Error(`payout method ${w.methodId} missing`);
      const scored = scoreWithdrawal({
        amount: w.amount,
        currency: w.currency as Currency,
        perWithdrawalLimit: limits.perWithdrawal,
        methodCreatedAt: method.createdAt,
        now,
        ...(await fraudFacts(tx, w, now)),
      });
      await tx
        .update(W)
        .set({
          status: scored.review ? "in_review" : "approved",
          codeHash: null,
          codeSalt: null,
          confirmedAt: now,
          usageDay: day,
          fraudScore: scored.score,
          fraudReasons: scored.reasons,
        })
        .where(eq(W.id, w.id));
      if (!scored.review) await queuePayout(tx, w.id);
      await post(
        tx,
        holdWithdrawal(
          { ownerId: userId, currency: w.currency, amount: w.amount },
          {
            description: "Withdrawal confirmed",
            actorId: userId,
            reference: { type: "withdrawal", id: w.id },
          },
        ),
      );
      return creatorView(tx, w.id);
    });
  } catch (error) {
    if (error instanceof WrongCode) {
      const attempts = await countWrongCode(attemptsDb, input.withdrawalId);
      // Confirmed or cancelled by a concurrent request in the meantime.
      if (attempts === null)
        throw new AppError("WITHDRAWAL_NOT_AWAITING_CODE", "This withdrawal is not waiting for a code");
      if (attempts >= WITHDRAWAL_POLICY.codeMaxAttempts)
        throw new AppError("WITHDRAWAL_CODE_ATTEMPTS", "Too many wrong codes: this withdrawal was cancelled");
      throw new AppError(
        "WITHDRAWAL_CODE_INVALID",
        `This code is not right (${WITHDRAWAL_POLICY.codeMaxAttempts - attempts} attempts left)`,
      );
    }
    if (fromDatabaseError(error)?.code === "INSUFFICIENT_BALANCE")
      throw new AppError("INSUFFICIENT_FUNDS", "Your wallet does not have that much available", { cause: error });
    throw error;
  }
}

/** Counts a wrong code; the last allowed one cancels the withdrawal (and its code). Returns the attempts so far. */
async function countWrongCode(db: Db, withdrawalId: string): Promise<number | null> {
  const [row] = await db
    .update(W)
    .set({
      codeAttempts: sql`${W.codeAttempts} + 1`,
      status: sql`case when ${W.codeAttempts} + 1 >= ${WITHDRAWAL_POLICY.codeMaxAttempts} then 'cancelled'::withdrawal_status else ${W.status} end`,
      codeHash: sql`case when ${W.codeAttempts} + 1 >= ${WITHDRAWAL_POLICY.codeMaxAttempts} then null else ${W.codeHash} end`,
    })
    .where(and(eq(W.id, withdrawalId), eq(W.status, "awaiting_code")))
    .returning({ attempts: W.codeAttempts });
  return row?.attempts ?? null;
}

/** The payout job, added in the caller's transaction; its key makes a second approval add no second job. */
export const queuePayout = (tx: DbOrTx, withdrawalId: string) =>
  addJob(tx, PAYOUT_TASK, { withdrawalId }, { jobKey: `withdrawal-payout:${withdrawalId}` });

const memo = (w: Withdrawal, description: string, actorId: string | null) => ({
  description,
  actorId,
  reference: { type: "withdrawal", id: w.id },
});

/** Held money back into the wallet and the day's allowance back; posts last. */
async function releaseHeld(tx: DbOrTx, w: Withdrawal, description: string, actorId: string | null) {
  if (w.usageDay) await releaseUsage(tx, { userId: w.userId, currency: w.currency, day: w.usageDay, amount: w.amount });
  await post(
    tx,
    releaseWithdrawal({ ownerId: w.userId, currency: w.currency, amount: w.amount }, memo(w, description, actorId)),
  );
}

/** The creator cancels while the code is pending (nothing held yet) or while in review (the hold is released). */
export async function cancelWithdrawal(db: Db, userId: string, withdrawalId: string) {
  return db.transaction(async (tx) => {
    const [w] = await tx
      .select()
      .from(W)
      .where(and(eq(W.id, withdrawalId), eq(W.userId, userId)))
      .for("update");
    if (!w) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
    if (w.status !== "awaiting_code" && w.status !== "in_review")
      throw new AppError("WITHDRAWAL_NOT_CANCELLABLE", "This withdrawal can no longer be cancelled");
    await tx
      .update(W)
      .set({ status: "cancelled", codeHash: null, codeSalt: null, settledAt: sql`now()` })
      .where(eq(W.id, w.id));
    if (w.status === "in_review") await releaseHeld(tx, w, "Withdrawal cancelled", userId);
    return creatorView(tx, w.id);
  });
}

/** The creator's withdrawals, newest first. */
export async function listWithdrawals(db: DbOrTx, userId: string, input: ListWithdrawalsInput) {
  const where = eq(W.userId, userId);
  const [items, [total]] = await Promise.all([
    db
      .select(creatorColumns)
      .from(W)
      .innerJoin(M, eq(M.id, W.methodId))
      .where(where)
      .orderBy(desc(W.createdAt), desc(W.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(W).where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}

export async function getWithdrawal(db: DbOrTx, userId: string, withdrawalId: string) {
  const [row] = await db
    .select(creatorColumns)
    .from(W)
    .innerJoin(M, eq(M.id, W.methodId))
    .where(and(eq(W.id, withdrawalId), eq(W.userId, userId)));
  if (!row) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
  return row;
}

// Settling a payout: shared by the payout job, provider events and an admin's manual marks.

/** Paid: the held amount leaves the platform; the creator is told. Posts last. */
export async function settlePaid(tx: DbOrTx, w: Withdrawal, reference: string, actorId: string | null) {
  await tx.update(W).set({ status: "paid", providerRef: reference, settledAt: sql`now()` }).where(eq(W.id, w.id));
  const user = await recipient(tx, w.userId);
  await enqueueEmail(
    tx,
    { userId: user.id, email: user.email, locale: user.locale },
    {
      template: "withdrawal-paid",
      name: user.name,
      amount: formatAmount(w.amount, w.currency, user.locale),
      reference,
    },
  );
  await post(
    tx,
    payOutWithdrawal(
      { ownerId: w.userId, currency: w.currency, amount: w.amount },
      memo(w, "Withdrawal paid", actorId),
    ),
  );
}

/** Failed (by the provider or an admin) or rejected: the amount is available again; the creator is told why. */
export async function settleFailed(
  tx: DbOrTx,
  w: Withdrawal,
  c: { status: "failed" | "rejected"; reason: string; actorId: string | null; providerRef?: string | null },
) {
  await tx
    .update(W)
    .set({
      status: c.status,
      failureReason: c.reason,
      providerRef: c.providerRef ?? w.providerRef,
      settledAt: sql`now()`,
    })
    .where(eq(W.id, w.id));
  const user = await recipient(tx, w.userId);
  await enqueueEmail(
    tx,
    { userId: user.id, email: user.email, locale: user.locale },
    {
      template: "withdrawal-failed",
      name: user.name,
      amount: formatAmount(w.amount, w.currency, user.locale),
      reason: c.reason,
    },
  );
  await releaseHeld(tx, w, c.status === "rejected" ? "Withdrawal rejected" : "Withdrawal failed", c.actorId);
}

/** A paid payout the provider reversed later: failed after all, the money back in the wallet. Posts last. */
export async function reverseSettledPayout(tx: DbOrTx, w: Withdrawal, reason: string) {
  await tx.update(W).set({ status: "failed", failureReason: reason, settledAt: sql`now()` }).where(eq(W.id, w.id));
  const user = await recipient(tx, w.userId);
  await enqueueEmail(
    tx,
    { userId: user.id, email: user.email, locale: user.locale },
    { template: "withdrawal-failed", name: user.name, amount: formatAmount(w.amount, w.currency, user.locale), reason },
  );
  await post(
    tx,
    reverseWithdrawalPayout(
      { ownerId: w.userId, currency: w.currency, amount: w.amount },
      memo(w, "Withdrawal payout reversed", null),
    ),
  );
}

// The console: the review queue and payouts.

const creator = sql<string>`${users.name}`;
const adminColumns = {
  ...creatorColumns,
  userId: W.userId,
  userName: creator,
  userEmail: users.email,
  fraudScore: W.fraudScore,
  fraudReasons: W.fraudReasons,
  providerRef: W.providerRef,
  reviewedAt: W.reviewedAt,
};

function adminWhere(input: AdminListWithdrawalsInput): SQL | undefined {
  return and(
    input.status ? eq(W.status, input.status) : undefined,
    input.currency ? eq(W.currency, input.currency) : undefined,
    input.kind ? eq(M.kind, input.kind) : undefined,
    input.query
      ? or(ilike(users.name, containsPattern(input.query)), ilike(users.email, containsPattern(input.query)))
      : undefined,
  );
}

/** Every withdrawal past its code step (payouts) with filters, newest first; the queue is oldest first. */
export async function adminListWithdrawals(db: DbOrTx, input: AdminListWithdrawalsInput, queue = false) {
  const where = queue
    ? eq(W.status, "in_review")
    : and(adminWhere(input), input.status ? undefined : sql`${W.status} <> 'awaiting_code'`);
  const base = () =>
    db.select(adminColumns).from(W).innerJoin(M, eq(M.id, W.methodId)).innerJoin(users, eq(users.id, W.userId));
  const [items, [total]] = await Promise.all([
    base()
      .where(where)
      .orderBy(...(queue ? [asc(W.confirmedAt), asc(W.id)] : [desc(W.createdAt), desc(W.id)]))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db
      .select({ value: count() })
      .from(W)
      .innerJoin(M, eq(M.id, W.methodId))
      .innerJoin(users, eq(users.id, W.userId))
      .where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}

/** One withdrawal for an admin, with the method's details (a manual transfer needs the bank account). */
export async function adminGetWithdrawal(db: DbOrTx, id: string) {
  const [row] = await db
    .select({ ...adminColumns, methodDetails: M.details })
    .from(W)
    .innerJoin(M, eq(M.id, W.methodId))
    .innerJoin(users, eq(users.id, W.userId))
    .where(eq(W.id, id));
  if (!row) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
  return row;
}

type Actor = { id: string; ip: string | null };

async function lockForAdmin(tx: DbOrTx, id: string) {
  const [w] = await tx.select().from(W).where(eq(W.id, id)).for("update");
  if (!w) throw new AppError("WITHDRAWAL_NOT_FOUND", "No such withdrawal");
  return w;
}

const auditOf = (w: Pick<Withdrawal, "status" | "amount" | "currency">) => ({
  status: w.status,
  amount: w.amount,
  currency: w.currency,
});

/** An admin lets a flagged withdrawal through: it goes to the payout job. */
export async function approveWithdrawal(db: Db, actor: Actor, id: string) {
  return db.transaction(async (tx) => {
    const w = await lockForAdmin(tx, id);
    if (w.status !== "in_review") throw new AppError("WITHDRAWAL_NOT_IN_REVIEW", "This withdrawal is not in review");
    await tx.update(W).set({ status: "approved", reviewedBy: actor.id, reviewedAt: sql`now()` }).where(eq(W.id, id));
    await queuePayout(tx, id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "withdrawal.approve",
      targetType: "withdrawal",
      targetId: id,
      before: auditOf(w),
      after: { ...auditOf(w), status: "approved" },
      ipAddress: actor.ip,
    });
    return adminGetWithdrawal(tx, id);
  });
}

/** An admin refuses a flagged withdrawal with a reason: the held amount goes back to the wallet. */
export async function rejectWithdrawal(db: Db, actor: Actor, input: { id: string; reason: string }) {
  return db.transaction(async (tx) => {
    const w = await lockForAdmin(tx, input.id);
    if (w.status !== "in_review") throw new AppError("WITHDRAWAL_NOT_IN_REVIEW", "This withdrawal is not in review");
    await tx.update(W).set({ reviewedBy: actor.id, reviewedAt: sql`now()` }).where(eq(W.id, w.id));
    await recordAudit(tx, {
      actorId: actor.id,
      action: "withdrawal.reject",
      targetType: "withdrawal",
      targetId: w.id,
      before: auditOf(w),
      after: { ...auditOf(w), status: "rejected", reason: input.reason },
      ipAddress: actor.ip,
    });
    await settleFailed(tx, w, { status: "rejected", reason: input.reason, actorId: actor.id });
    return adminGetWithdrawal(tx, w.id);
  });
}

/** A manual bank transfer waiting for the admin: only those can be marked by hand. */
async function lockManualPending(tx: DbOrTx, id: string) {
  const w = await lockForAdmin(tx, id);
  const [method] = await tx.select({ kind: M.kind }).from(M).where(eq(M.id, w.methodId));
  if (w.status !== "processing" || method?.kind !== "manual")
    throw new AppError("WITHDRAWAL_NOT_AWAITING_PAYOUT", "This withdrawal is not a manual payout waiting to be made");
  return w;
}

/** The admin made the bank transfer: the withdrawal is paid with the transfer's reference. */
export async function markWithdrawalPaid(db: Db, actor: Actor, input: { id: string; reference: string }) {
  return db.transaction(async (tx) => {
    const w = await lockManualPending(tx, input.id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "withdrawal.mark_paid",
      targetType: "withdrawal",
      targetId: w.id,
      before: auditOf(w),
      after: { ...auditOf(w), status: "paid", reference: input.reference },
      ipAddress: actor.ip,
    });
    await settlePaid(tx, w, input.reference, actor.id);
    return adminGetWithdrawal(tx, w.id);
  });
}

/** The transfer could not be made: the amount goes back to the wallet, with the reason. */
export async function markWithdrawalFailed(db: Db, actor: Actor, input: { id: string; reason: string }) {
  return db.transaction(async (tx) => {
    const w = await lockManualPending(tx, input.id);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "withdrawal.mark_failed",
      targetType: "withdrawal",
      targetId: w.id,
      before: auditOf(w),
      after: { ...auditOf(w), status: "failed", reason: input.reason },
      ipAddress: actor.ip,
    });
    await settleFailed(tx, w, { status: "failed", reason: input.reason, actorId: actor.id });
    return adminGetWithdrawal(tx, w.id);
  });
}
