import type { Currency, UpdateWithdrawalLimitsInput } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit/service.ts";

/**
 * Withdrawal limits per currency (a table seeded by migration 0014, edited by admins) and each
 * user's usage per currency and UTC day, which only the confirming transaction moves.
 */

const L = schema.withdrawalLimits;
const U = schema.withdrawalDailyUsage;

export type WithdrawalLimits = typeof L.$inferSelect;

/** The UTC day a withdrawal confirmed at `now` counts against, as Postgres's `date` text. */
export const usageDay = (now: Date) => now.toISOString().slice(0, 10);

export async function listLimits(db: DbOrTx) {
  return db.select().from(L).orderBy(L.currency);
}

export async function limitsFor(db: DbOrTx, currency: string): Promise<WithdrawalLimits> {
  const [row] = await db.select().from(L).where(eq(L.currency, currency));
  // Every currency of the contract is seeded; a missing one is a broken database, not a user's mistake.
  if (!row) throw new Error(`no withdrawal limits for ${currency}`);
  return row;
}

/** What the user has already withdrawn today in that currency. */
export async function usedToday(db: DbOrTx, userId: string, currency: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ amount: U.amount })
    .from(U)
    .where(and(eq(U.userId, userId), eq(U.currency, currency), eq(U.day, usageDay(now))));
  return row?.amount ?? 0;
}

/** The limits with what is left today: for the withdraw form. */
export async function limitsView(db: DbOrTx, userId: string, currency: Currency, now = new Date()) {
  const [limits, used] = await Promise.all([limitsFor(db, currency), usedToday(db, userId, currency, now)]);
  return {
    currency,
    minAmount: limits.minAmount,
    perWithdrawal: limits.perWithdrawal,
    perDay: limits.perDay,
    usedToday: used,
    leftToday: Math.max(0, limits.perDay - used),
  };
}

/** The checks a request makes before any code is sent; the confirming transaction makes them again. */
export function checkAmount(limits: WithdrawalLimits, amount: number, used: number) {
  if (amount < limits.minAmount) throw new AppError("WITHDRAWAL_BELOW_MINIMUM", "This is below the minimum withdrawal");
  if (amount > limits.perWithdrawal)
    throw new AppError("WITHDRAWAL_ABOVE_LIMIT", "This is above the limit for one withdrawal");
  if (used + amount > limits.perDay)
    throw new AppError("WITHDRAWAL_DAILY_LIMIT", "This would pass today's withdrawal limit");
}

/**
 * Adds a confirmed withdrawal to the day's usage, refusing when it would pass the daily limit: one
 * upsert whose update is guarded by the limit, so concurrent confirmations serialise on the row and
 * each sees the others' amounts (a plain read-then-write could let two through).
 */
export async function addUsage(
  tx: DbOrTx,
  c: { userId: string; currency: string; day: string; amount: number; perDay: number },
) {
  const { rows } = await tx.execute<{ amount: string }>(sql`
    insert into ${U} as u (user_id, currency, day, amount)
    select ${c.userId}, ${c.currency}, ${c.day}::date, ${c.amount}::bigint where ${c.amount}::bigint <= ${c.perDay}::bigint
    on conflict (user_id, currency, day) do update set amount = u.amount + excluded.amount
      where u.amount + excluded.amount <= ${c.perDay}::bigint
    returning u.amount::text`);
  if (rows.length === 0) throw new AppError("WITHDRAWAL_DAILY_LIMIT", "This would pass today's withdrawal limit");
}

/** A released withdrawal (rejected, cancelled in review, failed) gives its day's allowance back. */
export async function releaseUsage(tx: DbOrTx, c: { userId: string; currency: string; day: string; amount: number }) {
  await tx.execute(sql`
    update ${U} set amount = greatest(0, amount - ${c.amount}::bigint)
    where user_id = ${c.userId} and currency = ${c.currency} and day = ${c.day}::date`);
}

/** An admin changes a currency's limits; audited with before and after. */
export async function updateLimits(
  db: Db,
  actor: { id: string; ip: string | null },
  input: UpdateWithdrawalLimitsInput,
) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(L).where(eq(L.currency, input.currency)).for("update");
    if (!before) throw new Error(`no withdrawal limits for ${input.currency}`);
    const [after] = await tx
      .update(L)
      .set({
        minAmount: input.minAmount,
        perWithdrawal: input.perWithdrawal,
        perDay: input.perDay,
        updatedAt: sql`now()`,
        updatedBy: actor.id,
      })
      .where(eq(L.currency, input.currency))
      .returning();
    const pick = (l: WithdrawalLimits) => ({
      minAmount: l.minAmount,
      perWithdrawal: l.perWithdrawal,
      perDay: l.perDay,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "withdrawal.limits.update",
      targetType: "withdrawal_limits",
      targetId: input.currency,
      before: pick(before),
      after: after ? pick(after) : null,
      ipAddress: actor.ip,
    });
    return after;
  });
}
