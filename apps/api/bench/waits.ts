// What the database's sessions are doing while a load runs: pg_stat_activity sampled every few
// milliseconds, averaged per (wait event, statement). Shows where bookings spend their time: a row
// lock (Lock:transactionid / Lock:tuple), the client between statements (Client:ClientRead: "idle in
// transaction"), or running (CPU).
import pg from "pg";

export function sampleWaits(databaseUrl: string, everyMs = 10) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on("error", () => {});
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      const { rows } = await pool.query<{ wait: string; statement: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait,
          left(regexp_replace(query, '\\s+', ' ', 'g'), 56) as statement
        from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
          and state in ('active', 'idle in transaction')`,
      );
      samples += 1;
      for (const r of rows) {
        const key = `${r.wait.padEnd(26)} ${r.statement}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  /** Stops sampling; the busiest lines as "average sessions in that state: wait statement". */
  return async (top = 6) => {
    stopped = true;
    await sampling;
    await pool.end();
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, n]) => `${(n / Math.max(1, samples)).toFixed(2).padStart(6)}  ${key}`);
  };
}
