import { CURRENCIES, type RevenueInput } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { sql } from "drizzle-orm";
import { systemAccountId } from "../ledger/accounts.ts";

/** "2026-03" for a Date's UTC month. */
const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;

/**
 * The platform's revenue per currency and month (UTC), from the ledger's platform_revenue accounts:
 * what came in (credit pack sales, fees on creators' sales) and what went back out (refunds), for the
 * months from `from`'s to `to`'s inclusive. Sums are read as text (DESIGN.md: reports over many rows).
 */
export async function platformRevenue(db: DbOrTx, input: RevenueInput) {
  const start = new Date(Date.UTC(input.from.getUTCFullYear(), input.from.getUTCMonth(), 1));
  const end = new Date(Date.UTC(input.to.getUTCFullYear(), input.to.getUTCMonth() + 1, 1));
  const accounts = CURRENCIES.map((c) => systemAccountId("platform_revenue", c));
  const { rows } = await db.execute<{ currency: string; month: string; earned: string; refunded: string }>(sql`
    select e.currency, to_char(date_trunc('month', e.created_at at time zone 'UTC'), 'YYYY-MM') as month,
      coalesce(sum(e.amount) filter (where e.amount > 0), 0)::text as earned,
      coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::text as refunded
    from ledger_entries e
    where e.account_id in (${sql.join(
      accounts.map((a) => sql`${a}::uuid`),
      sql`, `,
    )})
      and e.created_at >= ${start.toISOString()}::timestamptz and e.created_at < ${end.toISOString()}::timestamptz
    group by 1, 2`);
  const months: string[] = [];
  for (let d = start; d < end; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)))
    months.push(monthKey(d));
  const byCurrency = new Map<string, Map<string, { earned: number; refunded: number }>>();
  for (const r of rows) {
    const perMonth = byCurrency.get(r.currency) ?? new Map();
    perMonth.set(r.month, { earned: Number(r.earned), refunded: Number(r.refunded) });
    byCurrency.set(r.currency, perMonth);
  }
  return {
    months,
    currencies: CURRENCIES.filter((c) => byCurrency.has(c)).map((currency) => {
      const perMonth = byCurrency.get(currency) ?? new Map();
      const series = months.map((month) => {
        const m = perMonth.get(month) ?? { earned: 0, refunded: 0 };
        return { month, earned: m.earned, refunded: m.refunded, net: m.earned - m.refunded };
      });
      const earned = series.reduce((s, m) => s + m.earned, 0);
      const refunded = series.reduce((s, m) => s + m.refunded, 0);
      return { currency, months: series, total: { earned, refunded, net: earned - refunded } };
    }),
  };
}
