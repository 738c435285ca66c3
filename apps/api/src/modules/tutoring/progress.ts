import type { EarningsInput } from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { type Clock, nowOf, sessionIdOf } from "./sessions.ts";

const { users, tutoringSessions: S, ledgerAccounts, ledgerEntries, ledgerTransactions } = schema;

export const PROGRESS_MONTHS = 12;

/**
 * A learner's progress: completed sessions, minutes, the average of the ratings they gave, and
 * sessions and minutes per month over the last 12 months, months taken in the learner's time zone.
 */
export async function learnerProgress(db: Db, learnerId: string, clock: Clock = {}) {
  const now = nowOf(clock);
  const [user] = await db.select({ timezone: users.timezone }).from(users).where(eq(users.id, learnerId));
  const tz = user?.timezone ?? "UTC";
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  const [totals] = (
    await db.execute<{ completed: number; minutes: number; average: number | null; rated: number }>(sql`
      select count(*)::int as completed, coalesce(sum(${S.durationMinutes}), 0)::int as minutes,
        round(avg(${S.rating})::numeric, 2)::float8 as average, count(${S.rating})::int as rated
      from ${S} where ${S.learnerId} = ${learnerId} and ${S.status} = 'completed'`)
  ).rows;
  const { rows: months } = await db.execute<{ month: string; sessions: number; minutes: number }>(sql`
    with months as (
      select generate_series(
        date_trunc('month', ${nowSql} at time zone ${tz}) - interval '${sql.raw(String(PROGRESS_MONTHS - 1))} months',
        date_trunc('month', ${nowSql} at time zone ${tz}),
        interval '1 month') as month
    ), done as (
      select date_trunc('month', ${S.startsAt} at time zone ${tz}) as month, ${S.durationMinutes} as minutes
      from ${S} where ${S.learnerId} = ${learnerId} and ${S.status} = 'completed'
    )
    select to_char(m.month, 'YYYY-MM') as month, count(d.minutes)::int as sessions,
      coalesce(sum(d.minutes), 0)::int as minutes
    from months m left join done d on d.month = m.month
    group by m.month order by m.month`);
  return {
    timezone: tz,
    completedSessions: totals?.completed ?? 0,
    totalMinutes: totals?.minutes ?? 0,
    averageRating: totals?.average ?? null,
    ratingsCount: totals?.rated ?? 0,
    /** oldest first, always 12 entries ("YYYY-MM" in the learner's time zone) */
    months,
  };
}

/**
 * A teacher's earnings, read from the ledger (what was posted to their wallet accounts
 * for sessions): totals per currency and one line per posting, newest first, within [from, to).
 * A reversed session shows its pay and, as its own negative line, the reversal.
 */
export async function teacherEarnings(db: Db, teacherId: string, input: EarningsInput) {
  const range = sql`${input.from ? sql`and t.created_at >= ${input.from.toISOString()}::timestamptz` : sql``}
    ${input.to ? sql`and t.created_at < ${input.to.toISOString()}::timestamptz` : sql``}`;
  const postings = sql`
    from ${ledgerEntries} e
    join ${ledgerAccounts} a on a.id = e.account_id
    join ${ledgerTransactions} t on t.id = e.transaction_id
    left join ${S} s on s.id = ${sessionIdOf(sql`t`)}
    left join ${users} l on l.id = s.learner_id
    where a.owner_id = ${teacherId} and a.kind = 'wallet'
      and t.kind in ('earnings.post', 'earnings.reverse') ${range}`;
  const [totals, items, balances] = await Promise.all([
    db.execute<{ currency: string; total_minor: string; sessions: number; reversals: number }>(sql`
      select e.currency, sum(e.amount)::text as total_minor,
        count(*) filter (where t.kind = 'earnings.post')::int as sessions,
        count(*) filter (where t.kind = 'earnings.reverse')::int as reversals ${postings}
      group by e.currency order by e.currency`),
    db.execute<{
      session_id: string | null;
      amount: string;
      currency: string;
      posted_at: Date;
      starts_at: Date | null;
      duration_minutes: number | null;
      learner_name: string | null;
      kind: string;
    }>(sql`
      select t.reference_id as session_id, t.kind, e.amount::text as amount, e.currency, t.created_at as posted_at,
        s.starts_at, s.duration_minutes, l.name as learner_name
      ${postings}
      order by t.created_at desc, e.id desc
      limit ${input.pageSize} offset ${(input.page - 1) * input.pageSize}`),
    db.execute<{ currency: string; balance: string }>(sql`
      select currency, balance::text from ${ledgerAccounts}
      where owner_id = ${teacherId} and kind = 'wallet' order by currency`),
  ]);
  // Every posting is an earnings.post or an earnings.reverse: the totals already count them.
  const total = totals.rows.reduce((n, r) => n + r.sessions + r.reversals, 0);
  return {
    totals: totals.rows.map((r) => ({
      currency: r.currency,
      totalMinor: Number(r.total_minor),
      sessions: r.sessions,
      reversals: r.reversals,
    })),
    /** what is on the earnings accounts now (all time, after any payouts) */
    balances: balances.rows.map((r) => ({ currency: r.currency, balanceMinor: Number(r.balance) })),
    items: items.rows.map((r) => ({
      sessionId: r.session_id,
      amountMinor: Number(r.amount),
      currency: r.currency,
      postedAt: new Date(r.posted_at),
      startsAt: r.starts_at ? new Date(r.starts_at) : null,
      durationMinutes: r.duration_minutes,
      learnerName: r.learner_name,
      /** a reversal takes back a session's pay (a negative amount) */
      reversal: r.kind === "earnings.reverse",
    })),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}
