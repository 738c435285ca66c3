import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";

/**
 * One double-entry ledger for credits (currency CREDIT) and money. Balances are a cache kept by a
 * trigger on ledger_entries, on user-owned accounts only (system accounts, created by migration with
 * fixed ids, keep 0: a report sums their entries); user-owned accounts can never go below zero
 * (CHECK). Only that trigger may write a balance (ledger_accounts_guard, migration 0008).
 */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    /** null for the platform's own accounts */
    ownerId: text("owner_id").references(() => users.id, { onDelete: "restrict" }),
    /** what the account holds: credit_lot, credit_held, wallet (users); credit_issuance, payroll_expense, ... (system) */
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
    check("ledger_accounts_system_not_cached", sql`${t.ownerId} is not null or ${t.balance} = 0`),
    check("ledger_accounts_balance_safe", sql`${t.balance} between -9007199254740991 and 9007199254740991`),
    // The target of ledger_entries' (account_id, currency) key.
    unique("ledger_accounts_id_currency_unique").on(t.id, t.currency),
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
    // Payroll: the earnings postings of a date range.
    index("ledger_transactions_kind_created_idx").on(t.kind, t.createdAt),
  ],
);

/**
 * Append-only (triggers refuse UPDATE, DELETE and TRUNCATE, here and on ledger_transactions); the
 * entries each INSERT statement adds sum to zero per transaction and currency (checked per statement).
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => ledgerTransactions.id, { onDelete: "restrict" }),
    /** with `currency`, a key to the account's (id, currency): an entry is in its account's currency */
    accountId: uuid("account_id").notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("ledger_entries_amount_non_zero", sql`${t.amount} <> 0`),
    check("ledger_entries_amount_bounded", sql`${t.amount} between -1000000000000000 and 1000000000000000`),
    foreignKey({
      name: "ledger_entries_account_currency_fk",
      columns: [t.accountId, t.currency],
      foreignColumns: [ledgerAccounts.id, ledgerAccounts.currency],
    }).onDelete("restrict"),
    index("ledger_entries_transaction_idx").on(t.transactionId),
    index("ledger_entries_account_idx").on(t.accountId, t.createdAt),
  ],
);

/** Each run of the scheduled drift check (ledger.health job): what it found. */
export const ledgerHealthChecks = pgTable(
  "ledger_health_checks",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
    ok: boolean("ok").notNull(),
    driftedAccounts: integer("drifted_accounts").notNull(),
    unbalancedTransactions: integer("unbalanced_transactions").notNull(),
    /** the drifted accounts and unbalanced transactions (first few), and the per-currency totals */
    details: jsonb("details").notNull(),
  },
  (t) => [index("ledger_health_checks_checked_at_idx").on(t.checkedAt)],
);
