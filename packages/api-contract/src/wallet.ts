import { z } from "zod";
import { PAGE_MAX, PAGE_SIZE_MAX } from "./admin.ts";
import { Currency, type Currency as CurrencyCode, SHORT_TEXT_MAX, UserId } from "./tutoring.ts";

// Wallets: balances per currency, history, CSV export, earnings by month, admin adjustments.

/**
 * What a wallet movement is, for people: read from the ledger transaction's kind. A reversal takes
 * back earnings or a sale (a reversed session, a refunded order).
 */
export const WALLET_ENTRY_KINDS = [
  "earnings",
  "sale",
  "withdrawal_hold",
  "withdrawal_release",
  "withdrawal_payout",
  "adjustment",
  "reversal",
] as const;
export const WalletEntryKind = z.enum(WALLET_ENTRY_KINDS);
export type WalletEntryKind = z.infer<typeof WalletEntryKind>;

/** Which side of the wallet an entry moved: what can be withdrawn, or what withdrawals in flight hold. */
export const WALLET_SIDES = ["available", "pending"] as const;
export type WalletSide = (typeof WALLET_SIDES)[number];

export const WALLET_POLICY = {
  /** Months the earnings chart can cover. */
  maxChartMonths: 24,
  /** Rows in one CSV export (newest first); narrow the dates for more. */
  csvMaxRows: 20_000,
  /** The largest single admin adjustment per currency, in minor units (100,000.00; ₦100,000,000; E£5,000,000). */
  maxAdjustmentMinor: {
    USD: 10_000_000,
    GBP: 10_000_000,
    EUR: 10_000_000,
    NGN: 10_000_000_000,
    EGP: 500_000_000,
  } satisfies Record<CurrencyCode, number>,
  reasonMin: 3,
} as const;

const Page = {
  page: z.number().int().min(1).max(PAGE_MAX).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
};

/** Which entries: all filters optional; `from` inclusive, `to` exclusive. */
const HistoryFilters = {
  currency: Currency.optional(),
  kind: WalletEntryKind.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
};
const rangeInOrder = (r: { from?: Date; to?: Date }) => !r.from || !r.to || r.from < r.to;
const rangeIssue = { message: "Must be after the start", path: ["to"] };

export const WalletHistoryInput = z.object({ ...HistoryFilters, ...Page }).refine(rangeInOrder, rangeIssue);
export type WalletHistoryInput = z.infer<typeof WalletHistoryInput>;

export const WalletCsvInput = z.object(HistoryFilters).refine(rangeInOrder, rangeIssue);
export type WalletCsvInput = z.infer<typeof WalletCsvInput>;

export const EarningsByMonthInput = z.object({
  months: z.number().int().min(1).max(WALLET_POLICY.maxChartMonths).default(12),
});
export type EarningsByMonthInput = z.infer<typeof EarningsByMonthInput>;

export const AdminWalletsListInput = z.object({
  /** name or email contains */
  query: z.string().trim().max(200).default(""),
  ...Page,
});
export type AdminWalletsListInput = z.infer<typeof AdminWalletsListInput>;

export const AdminWalletGetInput = z
  .object({ userId: UserId, ...HistoryFilters, ...Page })
  .refine(rangeInOrder, rangeIssue);
export type AdminWalletGetInput = z.infer<typeof AdminWalletGetInput>;

/** Signed minor units: positive credits the wallet, negative debits it (never beyond the available balance). */
export const AdjustWalletInput = z
  .object({
    userId: UserId,
    currency: Currency,
    amount: z
      .int()
      .refine((n) => n !== 0, "Must not be zero")
      .refine((n) => Math.abs(n) <= Math.max(...Object.values(WALLET_POLICY.maxAdjustmentMinor)), "Too large"),
    reason: z.string().trim().min(WALLET_POLICY.reasonMin, "Required").max(SHORT_TEXT_MAX),
  })
  .refine((a) => Math.abs(a.amount) <= WALLET_POLICY.maxAdjustmentMinor[a.currency], {
    message: "Too large for this currency",
    path: ["amount"],
  });
export type AdjustWalletInput = z.infer<typeof AdjustWalletInput>;
