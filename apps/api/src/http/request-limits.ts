import { type Db, runStatement } from "@lectern/db";

export interface Budget {
  max: number;
  windowSeconds: number;
}

/**
 * Counts one request against `key`'s budget in Postgres (one atomic upsert, so every API process
 * shares it) and says whether it is within the budget and, if not, when the window ends.
 */
export async function spendBudget(
  db: Db,
  key: string,
  { max, windowSeconds }: Budget,
): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
  const result = await runStatement<{ count: number; retry_after: number }>(db, SPEND_BUDGET, [key, windowSeconds]);
  const [row] = result.rows;
  if (!row || row.count <= max) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, row.retry_after) };
}

/** One atomic upsert per request that spends a budget (every mutation): a named statement, built once. */
const SPEND_BUDGET = {
  name: "request_rate_limit_spend",
  text: `insert into request_rate_limits as r (key, window_started_at, count)
    values ($1, now(), 1)
    on conflict (key) do update set
      window_started_at = case when r.window_started_at <= now() - make_interval(secs => $2) then now() else r.window_started_at end,
      count = case when r.window_started_at <= now() - make_interval(secs => $2) then 1 else r.count + 1 end
    returning r.count, ceil(extract(epoch from r.window_started_at + make_interval(secs => $2) - now()))::int as retry_after`,
};
