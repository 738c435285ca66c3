import { z } from "zod";
import { LEDGER_MAX_AMOUNT } from "./records.ts";
import { Currency } from "./tutoring.ts";

/** Withdrawals: payout methods, the two-step request (amount, then the emailed code), review and payouts. */

export const PAYOUT_METHOD_KINDS = ["stripe_connect", "paystack", "manual", "local"] as const;
export const PayoutMethodKind = z.enum(PAYOUT_METHOD_KINDS);
export type PayoutMethodKind = z.infer<typeof PayoutMethodKind>;

export const WITHDRAWAL_STATUSES = [
  "awaiting_code",
  "in_review",
  "approved",
  "processing",
  "paid",
  "failed",
  "rejected",
  "cancelled",
] as const;
export const WithdrawalStatus = z.enum(WITHDRAWAL_STATUSES);
export type WithdrawalStatus = z.infer<typeof WithdrawalStatus>;

export const FRAUD_RULES = ["velocity", "above_usual", "new_method", "round_near_limit"] as const;
export type FraudRule = (typeof FRAUD_RULES)[number];

/**
 * The withdrawal policy. Each fraud rule adds its points; a total at or above `reviewThreshold`
 * sends the withdrawal to an admin's review queue instead of straight to payout.
 */
export const WITHDRAWAL_POLICY = {
  codeDigits: 6,
  codeTtlMinutes: 10,
  codeMaxAttempts: 3,
  /** withdrawal requests per user and per IP address per hour */
  requestsPerUserPerHour: 10,
  requestsPerIpPerHour: 30,
  reviewThreshold: 50,
  fraud: {
    /** this many confirmed withdrawals in the last 24 h (before this one) */
    velocityCount: 3,
    velocityPoints: 50,
    /** more than this multiple of the user's median confirmed withdrawal in the currency… */
    aboveUsualFactor: 3,
    /** …once they have at least this many */
    aboveUsualMinHistory: 3,
    aboveUsualPoints: 50,
    /** a payout method added less than this many hours ago */
    newMethodHours: 24,
    newMethodPoints: 50,
    /** at least this share of the per-withdrawal limit, in whole hundreds of the major unit */
    nearLimitShare: 0.9,
    roundNearLimitPoints: 50,
  },
} as const;

const Amount = z.number().int().positive().max(LEDGER_MAX_AMOUNT);
const Text = (max: number) => z.string().trim().min(1, "Required").max(max);

export const AddPayoutMethodInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("local"), currency: Currency }),
  z.object({
    kind: z.literal("manual"),
    currency: Currency,
    accountName: Text(120),
    bankName: Text(120),
    /** IBAN or the local account number */
    accountNumber: z
      .string()
      .trim()
      .transform((s) => s.replace(/\s+/g, "").toUpperCase())
      .pipe(z.string().regex(/^[A-Z0-9]{6,34}$/, "6 to 34 letters and digits")),
    /** SWIFT/BIC or sort code, when the bank needs one */
    routing: z.string().trim().max(40).optional(),
  }),
  z.object({ kind: z.literal("stripe_connect"), currency: z.enum(["USD", "GBP", "EUR"]) }),
  z.object({
    kind: z.literal("paystack"),
    currency: z.literal("NGN"),
    bankCode: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z]{2,10}$/, "Choose a bank"),
    accountNumber: z
      .string()
      .trim()
      .regex(/^[0-9]{10}$/, "10 digits"),
  }),
]);
export type AddPayoutMethodInput = z.infer<typeof AddPayoutMethodInput>;

export const PayoutMethodIdInput = z.object({ methodId: z.uuid() });

export const RequestWithdrawalInput = z.object({ currency: Currency, amount: Amount, methodId: z.uuid() });
export type RequestWithdrawalInput = z.infer<typeof RequestWithdrawalInput>;

export const ConfirmWithdrawalInput = z.object({
  withdrawalId: z.uuid(),
  code: z
    .string()
    .trim()
    .regex(/^[0-9]{6}$/, "6 digits"),
});
export type ConfirmWithdrawalInput = z.infer<typeof ConfirmWithdrawalInput>;

export const WithdrawalIdInput = z.object({ withdrawalId: z.uuid() });

const Page = {
  page: z.number().int().min(1).max(1000).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
};

export const ListWithdrawalsInput = z.object({ ...Page });
export type ListWithdrawalsInput = z.infer<typeof ListWithdrawalsInput>;

export const AdminListWithdrawalsInput = z.object({
  status: WithdrawalStatus.optional(),
  currency: Currency.optional(),
  kind: PayoutMethodKind.optional(),
  /** name or email of the creator */
  query: z.string().trim().max(200).default(""),
  ...Page,
});
export type AdminListWithdrawalsInput = z.infer<typeof AdminListWithdrawalsInput>;

export const AdminWithdrawalIdInput = z.object({ id: z.uuid() });
export const RejectWithdrawalInput = z.object({ id: z.uuid(), reason: Text(500) });
export const MarkPaidInput = z.object({ id: z.uuid(), reference: Text(200) });
export const MarkFailedInput = z.object({ id: z.uuid(), reason: Text(500) });

export const UpdateWithdrawalLimitsInput = z
  .object({ currency: Currency, minAmount: Amount, perWithdrawal: Amount, perDay: Amount })
  .refine((l) => l.minAmount <= l.perWithdrawal, { path: ["minAmount"], message: "Above the per-withdrawal limit" })
  .refine((l) => l.perWithdrawal <= l.perDay, { path: ["perWithdrawal"], message: "Above the daily limit" });
export type UpdateWithdrawalLimitsInput = z.infer<typeof UpdateWithdrawalLimitsInput>;
