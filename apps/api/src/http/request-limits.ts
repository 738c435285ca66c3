import type { Db } from "@lectern/db";
import { sql } from "drizzle-orm";

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
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const result = await db.execute<{ count: number; retry_after: number }>(sql`
    insert into request_rate_limits as r (key, window_started_at, count)
    values (${key}, now(), 1)
    on conflict (key) do update set
      window_started_at = case when r.window_started_at <= now() - ${window} then now() else r.window_started_at end,
      count = case when r.window_started_at <= now() - ${window} then 1 else r.count + 1 end
    returning r.count, ceil(extract(epoch from r.window_started_at + ${window} - now()))::int as retry_after`);
  const [row] = result.rows;
  if (!row || row.count <= max) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, row.retry_after) };
}
