import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";

/**
 * Withdrawals from creators' wallets and the payout methods they go to. The money itself lives in
 * the ledger (wallet → wallet_held on confirmation, → payout_clearing when paid); these tables hold
 * the request, its one-time code, its review and its payout.
 */

export const payoutMethodKind = pgEnum("payout_method_kind", ["stripe_connect", "paystack", "manual", "local"]);
/** pending: the provider still needs the creator (Stripe onboarding); ready: withdrawals may use it. */
export const payoutMethodStatus = pgEnum("payout_method_status", ["pending", "ready"]);

/** Where a creator's withdrawals in one currency are paid; details hold provider ids and bank details, never secrets. */
export const payoutMethods = pgTable(
  "payout_methods",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: payoutMethodKind("kind").notNull(),
    currency: text("currency").notNull(),
    /** what the creator sees ("Bank ····1234") */
    label: text("label").notNull(),
    details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
    status: payoutMethodStatus("status").notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** removed methods stay for the withdrawals that used them */
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [
    check("payout_methods_currency", sql`${t.currency} in ('USD', 'GBP', 'EUR', 'NGN', 'EGP')`),
    index("payout_methods_user_idx").on(t.userId, t.createdAt),
  ],
);

export const withdrawalStatus = pgEnum("withdrawal_status", [
  "awaiting_code",
  "in_review",
  "approved",
  "processing",
  "paid",
  "failed",
  "rejected",
  "cancelled",
]);

/** A fraud rule that fired: its name, its points and what it saw. */
export interface FraudReason {
  rule: "velocity" | "above_usual" | "new_method" | "round_near_limit";
  points: number;
  detail: string;
}

export const withdrawals = pgTable(
  "withdrawals",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    methodId: uuid("method_id")
      .notNull()
      .references(() => payoutMethods.id, { onDelete: "restrict" }),
    currency: text("currency").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    status: withdrawalStatus("status").notNull().default("awaiting_code"),
    /** sha256(salt || code), hex; null once consumed */
    codeHash: text("code_hash"),
    codeSalt: text("code_salt"),
    codeExpiresAt: timestamp("code_expires_at", { withTimezone: true }).notNull(),
    codeAttempts: integer("code_attempts").notNull().default(0),
    fraudScore: integer("fraud_score"),
    fraudReasons: jsonb("fraud_reasons").$type<FraudReason[]>().notNull().default(sql`'[]'::jsonb`),
    /** the UTC day whose usage this withdrawal counts against (set on confirmation) */
    usageDay: date("usage_day"),
    providerRef: text("provider_ref"),
    /** why the provider or an admin failed it, or why an admin rejected it */
    failureReason: text("failure_reason"),
    reviewedBy: text("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    settledAt: timestamp("settled_at", { withTimezone: true }),
  },
  (t) => [
    check("withdrawals_amount_positive", sql`${t.amount} > 0 and ${t.amount} <= 1000000000000000`),
    check("withdrawals_code_attempts", sql`${t.codeAttempts} between 0 and 3`),
    // Past the code step a withdrawal has been confirmed (or cancelled), and its code is gone.
    check(
      "withdrawals_confirmed",
      sql`${t.status} in ('awaiting_code', 'cancelled') or (${t.confirmedAt} is not null and ${t.usageDay} is not null and ${t.codeHash} is null)`,
    ),
    index("withdrawals_user_idx").on(t.userId, t.createdAt.desc()),
    index("withdrawals_status_idx").on(t.status, t.createdAt),
  ],
);

/** Per currency: the smallest withdrawal, the largest, and the most per user per UTC day (minor units); admins edit them. */
export const withdrawalLimits = pgTable(
  "withdrawal_limits",
  {
    currency: text("currency").primaryKey(),
    minAmount: bigint("min_amount", { mode: "number" }).notNull(),
    perWithdrawal: bigint("per_withdrawal", { mode: "number" }).notNull(),
    perDay: bigint("per_day", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text("updated_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    check(
      "withdrawal_limits_order",
      sql`0 < ${t.minAmount} and ${t.minAmount} <= ${t.perWithdrawal} and ${t.perWithdrawal} <= ${t.perDay} and ${t.perDay} <= 1000000000000000`,
    ),
  ],
);

/** What a user has withdrawn per currency and UTC day: moved by the confirming transaction with a guarded upsert. */
export const withdrawalDailyUsage = pgTable(
  "withdrawal_daily_usage",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currency: text("currency").notNull(),
    day: date("day").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "withdrawal_daily_usage_pk", columns: [t.userId, t.currency, t.day] }),
    check("withdrawal_daily_usage_amount", sql`${t.amount} >= 0`),
  ],
);
