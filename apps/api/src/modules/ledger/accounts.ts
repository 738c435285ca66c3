/**
 * The chart of accounts. System accounts belong to the platform: migration 0008 creates them with
 * these fixed ids, nothing creates them at runtime, and their balance is not cached (always 0 in
 * the row; `ledgerTotals` sums their entries). Every other account is owned by a user and caches
 * its balance, which can never go below zero.
 */
export const CREDIT = "CREDIT";

/** Fixed ids of one system account kind per money currency: 00000000-0000-4000-8000-000000000<series>0<1..5>. */
function perCurrency<const S extends number>(series: S) {
  const id = (n: number) => `00000000-0000-4000-8000-000000000${series}0${n}` as const;
  return { USD: id(1), GBP: id(2), EUR: id(3), NGN: id(4), EGP: id(5) };
}

export const SYSTEM_ACCOUNTS = {
  /** where credits are born (negative: how many were ever issued) */
  credit_issuance: { CREDIT: "00000000-0000-4000-8000-000000000001" },
  /** credits used by completed sessions */
  credit_consumed: { CREDIT: "00000000-0000-4000-8000-000000000002" },
  /** credits lost to late cancellations */
  credit_forfeited: { CREDIT: "00000000-0000-4000-8000-000000000003" },
  /** what expired lots had left */
  credit_expired: { CREDIT: "00000000-0000-4000-8000-000000000004" },
  /** where teacher pay comes from (negative: what was ever paid) */
  payroll_expense: {
    USD: "00000000-0000-4000-8000-000000000101",
    GBP: "00000000-0000-4000-8000-000000000102",
    EUR: "00000000-0000-4000-8000-000000000103",
    NGN: "00000000-0000-4000-8000-000000000104",
    EGP: "00000000-0000-4000-8000-000000000105",
  },
  /** credits taken back from a lot when its purchase is refunded */
  credit_refunded: { CREDIT: "00000000-0000-4000-8000-000000000005" },
  /** money received through payment providers (negative: what buyers have paid, net of refunds) */
  payment_clearing: perCurrency(2),
  /** what the platform earned: credit pack sales and its fee on creators' sales */
  platform_revenue: perCurrency(3),
  /** money sent to creators' bank or provider accounts by payouts */
  payout_clearing: perCurrency(4),
  /** the other side of an admin's audited wallet adjustment */
  wallet_adjustment: perCurrency(5),
} as const satisfies Record<string, Record<string, string>>;

export type SystemAccount = keyof typeof SYSTEM_ACCOUNTS;

/** The id of a system account; a kind or currency the migrations did not create is a bug. */
export function systemAccountId(kind: SystemAccount, currency: string): string {
  const id = (SYSTEM_ACCOUNTS[kind] as Record<string, string>)[currency];
  if (!id) throw new Error(`no system account ${kind} in ${currency}`);
  return id;
}

/**
 * Kinds of user-owned accounts: a learner's credit lots (one account per lot, opened with the lot),
 * the credits a learner's booked sessions hold, a teacher's or creator's wallet per currency (what
 * they can withdraw) and what their withdrawals in flight hold out of it (per currency).
 */
export type UserAccountKind = "credit_lot" | "credit_held" | "wallet" | "wallet_held";
