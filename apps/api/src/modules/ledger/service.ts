import type { DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";

const { ledgerAccounts, ledgerTransactions, ledgerEntries } = schema;

export const CREDIT = "CREDIT";

/**
 * The platform's own accounts. Credits are born in `credit_issuance` and end in consumed,
 * forfeited or expired; while a session is booked its credit sits in `credit_reserved`.
 * Teacher pay comes out of `payroll_expense`.
 */
export type PlatformAccount =
  | "credit_issuance"
  | "credit_reserved"
  | "credit_consumed"
  | "credit_forfeited"
  | "credit_expired"
  | "payroll_expense";

const MAY_GO_NEGATIVE: ReadonlySet<PlatformAccount> = new Set(["credit_issuance", "payroll_expense"]);

/** The id of a platform account, created on first use (concurrent first uses agree on one row). */
export async function platformAccount(tx: DbOrTx, kind: PlatformAccount, currency: string): Promise<string> {
  await tx
    .insert(ledgerAccounts)
    .values({ kind, currency, allowNegative: MAY_GO_NEGATIVE.has(kind) })
    .onConflictDoNothing({
      target: [ledgerAccounts.kind, ledgerAccounts.currency],
      where: sql`${ledgerAccounts.ownerId} is null`,
    });
  const [row] = await tx
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(
      and(sql`${ledgerAccounts.ownerId} is null`, eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency)),
    );
  if (!row) throw new Error(`platform account ${kind}/${currency} missing`);
  return row.id;
}

/** A user's single account of a kind and currency (e.g. teacher_earnings in USD), created on first use. */
export async function userAccount(tx: DbOrTx, ownerId: string, kind: string, currency: string): Promise<string> {
  await tx
    .insert(ledgerAccounts)
    .values({ ownerId, kind, currency })
    .onConflictDoNothing({
      target: [ledgerAccounts.ownerId, ledgerAccounts.kind, ledgerAccounts.currency],
      where: sql`${ledgerAccounts.ownerId} is not null and ${ledgerAccounts.kind} <> 'credit_lot'`,
    });
  const [row] = await tx
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(
      and(eq(ledgerAccounts.ownerId, ownerId), eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency)),
    );
  if (!row) throw new Error(`account ${ownerId}/${kind}/${currency} missing`);
  return row.id;
}

export interface Posting {
  kind: string;
  description: string;
  actorId?: string | null;
  reference?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  /** Signed amounts; they must sum to zero per currency (the database checks it at commit too). */
  entries: { accountId: string; amount: number; currency: string }[];
}

/**
 * Posts one balanced ledger transaction. Balances move by trigger in the same database
 * transaction; an entry that would take a user's balance below zero fails the whole posting.
 */
export async function post(tx: DbOrTx, posting: Posting): Promise<string> {
  const sums = new Map<string, number>();
  for (const e of posting.entries) {
    if (!Number.isSafeInteger(e.amount) || e.amount === 0) throw new Error(`bad ledger amount ${e.amount}`);
    sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount);
  }
  for (const [currency, sum] of sums) if (sum !== 0) throw new Error(`ledger posting unbalanced in ${currency}`);
  const [transaction] = await tx
    .insert(ledgerTransactions)
    .values({
      kind: posting.kind,
      description: posting.description,
      actorId: posting.actorId ?? null,
      referenceType: posting.reference?.type ?? null,
      referenceId: posting.reference?.id ?? null,
      metadata: posting.metadata ?? null,
    })
    .returning({ id: ledgerTransactions.id });
  if (!transaction) throw new Error("ledger transaction insert returned nothing");
  await tx.insert(ledgerEntries).values(posting.entries.map((e) => ({ ...e, transactionId: transaction.id })));
  return transaction.id;
}

/** Shorthand for the common two-legged movement of `amount` from one account to another. */
export function transfer(
  tx: DbOrTx,
  from: string,
  to: string,
  amount: number,
  currency: string,
  posting: Omit<Posting, "entries">,
): Promise<string> {
  return post(tx, {
    ...posting,
    entries: [
      { accountId: from, amount: -amount, currency },
      { accountId: to, amount, currency },
    ],
  });
}

/** Accounts whose cached balance differs from the sum of their entries: must always be empty. */
export async function balanceDrift(db: DbOrTx) {
  const result = await db.execute<{ account_id: string; balance: string; entries: string }>(sql`
    select a.id as account_id, a.balance::text, coalesce(sum(e.amount), 0)::text as entries
    from ${ledgerAccounts} a left join ${ledgerEntries} e on e.account_id = a.id
    group by a.id having a.balance <> coalesce(sum(e.amount), 0)`);
  return result.rows;
}

/** Ledger transactions whose entries do not sum to zero in some currency: must always be empty. */
export async function unbalancedTransactions(db: DbOrTx) {
  const result = await db.execute<{ transaction_id: string; currency: string }>(sql`
    select transaction_id, currency from ${ledgerEntries}
    group by transaction_id, currency having sum(amount) <> 0`);
  return result.rows;
}
