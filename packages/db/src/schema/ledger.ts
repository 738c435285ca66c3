import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";

/**
 * One double-entry ledger for credits (currency CREDIT) and money. Balances are a cache kept by a
 * trigger on ledger_entries; user-owned accounts can never go below zero (CHECK).
 */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    /** null for the platform's own accounts */
    ownerId: text("owner_id").references(() => users.id, { onDelete: "restrict" }),
    /** what the account holds: credit_lot, teacher_earnings, credit_issuance, credit_reserved, ... */
    kind: text("kind").notNull(),
    currency: text("currency").notNull(),
    balance: bigint("balance", { mode: "number" }).notNull().default(0),
    /** only the platform's source accounts (issuance, payroll expense) may go negative */
    allowNegative: boolean("allow_negative").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("ledger_accounts_balance_non_negative", sql`${t.allowNegative} or ${t.balance} >= 0`),
    check("ledger_accounts_owned_never_negative", sql`${t.ownerId} is null or not ${t.allowNegative}`),
    index("ledger_accounts_owner_idx").on(t.ownerId, t.kind),
    // One platform account per kind and currency.
    uniqueIndex("ledger_accounts_platform_kind_idx").on(t.kind, t.currency).where(sql`${t.ownerId} is null`),
    // One account per user, kind and currency, except credit lots (one per grant or purchase).
    uniqueIndex("ledger_accounts_owner_kind_idx")
      .on(t.ownerId, t.kind, t.currency)
      .where(sql`${t.ownerId} is not null and ${t.kind} <> 'credit_lot'`),
  ],
);

export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    /** credit.grant, credit.reserve, credit.refund, credit.forfeit, credit.consume, credit.expire, earnings.post, ... */
    kind: text("kind").notNull(),
    description: text("description").notNull(),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    /** the tutoring session (or other object) this movement belongs to */
    referenceType: text("reference_type"),
    referenceId: text("reference_id"),
    metadata: jsonb("metadata"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ledger_transactions_reference_idx").on(t.referenceType, t.referenceId),
    index("ledger_transactions_created_at_idx").on(t.createdAt),
  ],
);

/** Immutable (a trigger refuses UPDATE and DELETE); each transaction's entries sum to zero per currency. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => ledgerTransactions.id, { onDelete: "restrict" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => ledgerAccounts.id, { onDelete: "restrict" }),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("ledger_entries_amount_non_zero", sql`${t.amount} <> 0`),
    index("ledger_entries_transaction_idx").on(t.transactionId),
    index("ledger_entries_account_idx").on(t.accountId, t.createdAt),
  ],
);
