/**
 * The chart of accounts. System accounts belong to the platform: migration 0008 creates them with
 * these fixed ids, nothing creates them at runtime, and their balance is not cached (always 0 in
 * the row; `ledgerTotals` sums their entries). Every other account is owned by a user and caches
 * its balance, which can never go below zero.
 */
export const CREDIT = "CREDIT";

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
 * the credits a learner's booked sessions hold, a teacher's earnings per currency.
 */
export type UserAccountKind = "credit_lot" | "credit_held" | "teacher_earnings";
