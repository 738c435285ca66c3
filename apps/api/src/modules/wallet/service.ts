import type {
  EarningsByMonthInput,
  WalletCsvInput,
  WalletEntryKind,
  WalletHistoryInput,
  WalletSide,
} from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { type SQL, sql } from "drizzle-orm";
import { pageTotal } from "../../pagination.ts";

const { ledgerAccounts, ledgerEntries, ledgerTransactions } = schema;

/**
 * A user's wallet in one currency is two ledger accounts: `wallet` (available: what can be withdrawn)
 * and `wallet_held` (pending: what withdrawals in flight hold out of it).
 */
export const WALLET = "wallet";
export const WALLET_HELD = "wallet_held";

/** The ledger transaction kinds that credit a wallet with what its owner earned (the chart, "earned this month"). */
const EARNED_KINDS = ["earnings.post", "sale.creator"] as const;

/**
 * What a movement is, for people, from its ledger transaction's kind (`t`). A taken-back earning
 * or sale (a reversed session, a refunded order) is a reversal.
 */
const entryKind = sql<WalletEntryKind>`(case
  when t.kind = 'earnings.post' then 'earnings'
  when t.kind = 'sale.creator' then 'sale'
  when t.kind = 'withdrawal.hold' then 'withdrawal_hold'
  -- a rejected, cancelled or failed withdrawal, or a payout the provider returned: the money is back
  when t.kind in ('withdrawal.release', 'withdrawal.payout_reverse') then 'withdrawal_release'
  when t.kind = 'withdrawal.payout' then 'withdrawal_payout'
  when t.kind = 'earnings.reverse' or t.kind like 'refund.%' or t.kind like '%.reverse' then 'reversal'
  else 'adjustment' end)`;

export interface WalletBalance {
  currency: string;
  /** what the owner can withdraw, minor units */
  availableMinor: number;
  /** what withdrawals in flight hold, minor units */
  pendingMinor: number;
  /** earnings and sales credited since the start of this month in the owner's time zone, minor units */
  earnedThisMonthMinor: number;
}

/** The start of the month holding `now`, in `timeZone`, as an instant. */
const monthStart = (now: Date, timeZone: string, monthsBack = 0) =>
  sql`((date_trunc('month', ${now.toISOString()}::timestamptz at time zone ${timeZone})
    - make_interval(months => ${monthsBack}::int)) at time zone ${timeZone})`;

/**
 * Balances per currency of a user's wallets; a user with no wallet account (a learner) gets an
 * empty list. Reads the cached balances (two rows per currency) and this month's credits.
 */
export async function walletSummary(
  db: DbOrTx,
  owner: { id: string; timezone: string },
  now = new Date(),
): Promise<WalletBalance[]> {
  const { rows } = await db.execute<{ currency: string; available: string; pending: string; earned: string }>(sql`
    select a.currency,
      coalesce(sum(a.balance) filter (where a.kind = ${WALLET}), 0)::text as available,
      coalesce(sum(a.balance) filter (where a.kind = ${WALLET_HELD}), 0)::text as pending,
      coalesce((
        select sum(e.amount) from ${ledgerAccounts} w
        join ${ledgerEntries} e on e.account_id = w.id and e.created_at >= ${monthStart(now, owner.timezone)}
        join ${ledgerTransactions} t on t.id = e.transaction_id
        where w.owner_id = ${owner.id} and w.kind = ${WALLET} and w.currency = a.currency
          and e.amount > 0 and t.kind in (${sql.join(
            EARNED_KINDS.map((k) => sql`${k}`),
            sql`, `,
          )})
      ), 0)::text as earned
    from ${ledgerAccounts} a
    where a.owner_id = ${owner.id} and a.kind in (${WALLET}, ${WALLET_HELD})
    group by a.currency
    order by a.currency`);
  return rows.map((r) => ({
    currency: r.currency,
    availableMinor: Number(r.available),
    pendingMinor: Number(r.pending),
    earnedThisMonthMinor: Number(r.earned),
  }));
}

export interface WalletEntry {
  /** the ledger entry's id */
  id: number;
  transactionId: string;
  createdAt: Date;
  kind: WalletEntryKind;
  /** the side of the wallet it moved */
  side: WalletSide;
  description: string;
  currency: string;
  /** signed minor units: positive into that side, negative out of it */
  amountMinor: number;
  /** that side's balance right after this entry, minor units */
  balanceAfterMinor: number;
  /** what it belongs to: a tutoring session, an order, a withdrawal */
  reference: { type: string; id: string } | null;
}

type Filters = Pick<WalletHistoryInput, "currency" | "kind" | "from" | "to">;

/**
 * The conditions on a user's wallet entries (`a` their account, `e` the entry, `t` its transaction).
 * The owner's accounts come first, so the database reads only their entries through
 * ledger_entries (account_id, created_at), never the whole table.
 */
function filtersOf(ownerId: string, f: Filters): SQL {
  const where = [sql`a.owner_id = ${ownerId}`, sql`a.kind in (${WALLET}, ${WALLET_HELD})`];
  if (f.currency) where.push(sql`a.currency = ${f.currency}`);
  if (f.from) where.push(sql`e.created_at >= ${f.from.toISOString()}::timestamptz`);
  if (f.to) where.push(sql`e.created_at < ${f.to.toISOString()}::timestamptz`);
  if (f.kind) where.push(sql`${entryKind} = ${f.kind}`);
  return sql.join(where, sql` and `);
}

interface EntryRow extends Record<string, unknown> {
  id: string;
  transaction_id: string;
  created_at: string | Date;
  kind: WalletEntryKind;
  account_kind: string;
  description: string;
  currency: string;
  amount: string;
  balance_after: string;
  reference_type: string | null;
  reference_id: string | null;
}

const toEntry = (r: EntryRow): WalletEntry => ({
  id: Number(r.id),
  transactionId: r.transaction_id,
  createdAt: new Date(r.created_at),
  kind: r.kind,
  side: r.account_kind === WALLET_HELD ? "pending" : "available",
  description: r.description,
  currency: r.currency,
  amountMinor: Number(r.amount),
  balanceAfterMinor: Number(r.balance_after),
  reference: r.reference_type && r.reference_id ? { type: r.reference_type, id: r.reference_id } : null,
});

/**
 * A page of a user's wallet entries, newest first. The balance after each entry is the account's
 * cached balance less the entries that came after it: an index range read of that account's newer
 * entries, short for the first pages people read.
 */
export async function walletHistory(db: DbOrTx, ownerId: string, input: WalletHistoryInput) {
  const where = filtersOf(ownerId, input);
  const offset = (input.page - 1) * input.pageSize;
  const { rows } = await db.execute<EntryRow>(sql`
    select e.id::text, e.transaction_id, e.created_at, ${entryKind} as kind, a.kind as account_kind,
      t.description, e.currency, e.amount::text, t.reference_type, t.reference_id,
      (a.balance - coalesce((
        select sum(n.amount) from ${ledgerEntries} n
        where n.account_id = e.account_id and n.created_at >= e.created_at
          and (n.created_at > e.created_at or n.id > e.id)
      ), 0))::text as balance_after
    from ${ledgerAccounts} a
    join ${ledgerEntries} e on e.account_id = a.id
    join ${ledgerTransactions} t on t.id = e.transaction_id
    where ${where}
    order by e.created_at desc, e.id desc
    limit ${input.pageSize} offset ${offset}`);
  const total = await pageTotal(rows.length, input.pageSize, offset, async () => {
    const counted = await db.execute<{ total: number }>(sql`
      select count(*)::int as total
      from ${ledgerAccounts} a
      join ${ledgerEntries} e on e.account_id = a.id
      join ${ledgerTransactions} t on t.id = e.transaction_id
      where ${where}`);
    return counted.rows[0]?.total ?? 0;
  });
  return { items: rows.map(toEntry), total, page: input.page, pageSize: input.pageSize };
}

/**
 * Up to `limit` of a user's wallet entries, newest first, for an export: the balance after each
 * entry is a running sum over each of the owner's accounts (one pass over their entries).
 */
export async function walletEntries(db: DbOrTx, ownerId: string, filters: WalletCsvInput, limit: number) {
  const { rows } = await db.execute<EntryRow>(sql`
    with running as (
      select e.id, e.account_id, e.transaction_id, e.created_at, e.currency, e.amount,
        sum(e.amount) over (partition by e.account_id order by e.created_at, e.id) as balance_after
      from ${ledgerAccounts} a join ${ledgerEntries} e on e.account_id = a.id
      where a.owner_id = ${ownerId} and a.kind in (${WALLET}, ${WALLET_HELD})
        ${filters.currency ? sql`and a.currency = ${filters.currency}` : sql``}
    )
    select e.id::text, e.transaction_id, e.created_at, ${entryKind} as kind, a.kind as account_kind,
      t.description, e.currency, e.amount::text, t.reference_type, t.reference_id, e.balance_after::text
    from running e
    join ${ledgerAccounts} a on a.id = e.account_id
    join ${ledgerTransactions} t on t.id = e.transaction_id
    where ${filtersOf(ownerId, filters)}
    order by e.created_at desc, e.id desc
    limit ${limit}`);
  return rows.map(toEntry);
}

/**
 * Earnings and sales credited to a user's wallets per calendar month of their time zone, for the
 * last `months` months (this one included): every month listed, a series per currency aligned to them.
 */
export async function earningsByMonth(
  db: DbOrTx,
  owner: { id: string; timezone: string },
  input: EarningsByMonthInput,
  now = new Date(),
) {
  const tz = owner.timezone;
  const first = monthStart(now, tz, input.months - 1);
  const [monthRows, sums] = await Promise.all([
    db.execute<{ month: string }>(sql`
      select to_char(m, 'YYYY-MM') as month
      from generate_series(${first} at time zone ${tz}, ${monthStart(now, tz)} at time zone ${tz}, interval '1 month') m
      order by m`),
    db.execute<{ month: string; currency: string; amount: string }>(sql`
      select to_char(date_trunc('month', e.created_at at time zone ${tz}), 'YYYY-MM') as month, e.currency,
        sum(e.amount)::text as amount
      from ${ledgerAccounts} a
      join ${ledgerEntries} e on e.account_id = a.id and e.created_at >= ${first}
      join ${ledgerTransactions} t on t.id = e.transaction_id
      where a.owner_id = ${owner.id} and a.kind = ${WALLET} and e.amount > 0
        and t.kind in (${sql.join(
          EARNED_KINDS.map((k) => sql`${k}`),
          sql`, `,
        )})
      group by 1, 2`),
  ]);
  const months = monthRows.rows.map((r) => r.month);
  const series = new Map<string, number[]>();
  for (const r of sums.rows) {
    const amounts = series.get(r.currency) ?? months.map(() => 0);
    const index = months.indexOf(r.month);
    if (index >= 0) amounts[index] = Number(r.amount);
    series.set(r.currency, amounts);
  }
  return {
    timezone: tz,
    months,
    series: [...series.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amountsMinor]) => ({ currency, amountsMinor })),
  };
}
