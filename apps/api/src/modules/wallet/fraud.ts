import { CURRENCY_MINOR_DIGITS, type Currency, WITHDRAWAL_POLICY } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import type { FraudReason } from "@lectern/db/schema";
import { sql } from "drizzle-orm";

/**
 * Fraud rules for a withdrawal being confirmed. Each rule that fires adds its points and a reason;
 * at or above the policy's threshold the withdrawal waits in the admins' review queue. The scoring
 * is pure (facts in, reasons out); `fraudFacts` reads the facts from the creator's history.
 */

export interface FraudFacts {
  amount: number;
  currency: Currency;
  perWithdrawalLimit: number;
  /** the creator's confirmed withdrawals in the last 24 hours, this one not included */
  recentCount: number;
  /** their confirmed withdrawals in this currency before this one */
  historyCount: number;
  /** the median of those, null without history */
  median: number | null;
  methodCreatedAt: Date;
  now: Date;
}

type Policy = typeof WITHDRAWAL_POLICY;

export function scoreWithdrawal(f: FraudFacts, policy: Policy = WITHDRAWAL_POLICY) {
  const p = policy.fraud;
  const reasons: FraudReason[] = [];
  if (f.recentCount >= p.velocityCount)
    reasons.push({
      rule: "velocity",
      points: p.velocityPoints,
      detail: `${f.recentCount} withdrawals in the last 24 hours`,
    });
  if (f.median !== null && f.historyCount >= p.aboveUsualMinHistory && f.amount > p.aboveUsualFactor * f.median)
    reasons.push({
      rule: "above_usual",
      points: p.aboveUsualPoints,
      detail: `${(f.amount / f.median).toFixed(1)}× the usual amount (median ${f.median})`,
    });
  const methodAgeHours = (f.now.getTime() - f.methodCreatedAt.getTime()) / 3_600_000;
  if (methodAgeHours < p.newMethodHours)
    reasons.push({
      rule: "new_method",
      points: p.newMethodPoints,
      detail: `payout method added ${Math.max(0, Math.floor(methodAgeHours))} h ago`,
    });
  // A round amount (whole hundreds of the major unit) just under the limit: probing the ceiling.
  const hundred = 100 * 10 ** CURRENCY_MINOR_DIGITS[f.currency];
  if (f.amount >= p.nearLimitShare * f.perWithdrawalLimit && f.amount % hundred === 0)
    reasons.push({
      rule: "round_near_limit",
      points: p.roundNearLimitPoints,
      detail: `round amount at ${Math.round((100 * f.amount) / f.perWithdrawalLimit)}% of the limit`,
    });
  const score = reasons.reduce((sum, r) => sum + r.points, 0);
  return { score, reasons, review: score >= policy.reviewThreshold };
}

/** The creator's history the rules look at (confirmed withdrawals only: unconfirmed ones moved nothing). */
export async function fraudFacts(
  tx: DbOrTx,
  w: { id: string; userId: string; currency: string },
  now: Date,
): Promise<Pick<FraudFacts, "recentCount" | "historyCount" | "median">> {
  const { rows } = await tx.execute<{ recent: number; history: number; median: string | null }>(sql`
    select
      count(*) filter (where confirmed_at > ${now.toISOString()}::timestamptz - interval '24 hours')::int as recent,
      count(*) filter (where currency = ${w.currency})::int as history,
      (percentile_cont(0.5) within group (order by amount) filter (where currency = ${w.currency}))::text as median
    from withdrawals
    where user_id = ${w.userId} and id <> ${w.id} and confirmed_at is not null`);
  const row = rows[0];
  return {
    recentCount: row?.recent ?? 0,
    historyCount: row?.history ?? 0,
    median: row?.median == null ? null : Number(row.median),
  };
}
