// `pnpm bench --explain`: calls every list procedure once over HTTP on the bench dataset, records
// the SQL each one sends, and prints Postgres's plan (EXPLAIN ANALYZE) of every statement, marking
// sequential scans of the big tables so a missing index shows at a glance. A named statement's plan
// is the one its prepared statement runs once warm (generic or custom, as Postgres chooses after
// five runs); a one-off EXPLAIN of the same text shows a custom plan that may never run.
import type { QueryConfig } from "pg";
import superjson from "superjson";
import type { startTestServer } from "../src/testing/index.ts";

type Server = Awaited<ReturnType<typeof startTestServer>>;

interface Captured {
  text: string;
  values: unknown[];
  /** set for the API's named prepared statements */
  name?: string;
}

/** The tables that hold many rows in the bench world: a scan of one of them is worth a look. */
const BIG_TABLES = ["tutoring_sessions", "users", "ledger_entries", "ledger_transactions", "ledger_accounts"];

/** The list queries the apps make, each with the person who makes it. */
const DAY = 24 * 60 * 60 * 1000;
const CALLS: { path: string; as: "learner" | "teacher" | "booker" | "admin"; input: unknown }[] = [
  { path: "tutoring.sessions.upcoming", as: "learner", input: { page: 1, pageSize: 20 } },
  { path: "tutoring.sessions.past", as: "learner", input: { page: 1, pageSize: 20 } },
  { path: "tutoring.sessions.cancelled", as: "learner", input: { page: 1, pageSize: 20 } },
  { path: "tutoring.sessions.past", as: "teacher", input: { page: 1, pageSize: 20 } },
  { path: "tutoring.teachers.list", as: "learner", input: { query: "", page: 1, pageSize: 20 } },
  { path: "tutoring.teachers.get", as: "learner", input: { teacherId: "bench-t-1" } },
  { path: "credits.balance", as: "booker", input: undefined },
  { path: "credits.history", as: "booker", input: { page: 1, pageSize: 20 } },
  { path: "credits.history", as: "learner", input: { page: 1, pageSize: 20 } },
  { path: "tutoring.earnings", as: "teacher", input: { page: 1, pageSize: 20 } },
  { path: "admin.sessions.list", as: "admin", input: { page: 1, pageSize: 20 } },
  { path: "admin.sessions.list", as: "admin", input: { teacherId: "bench-t-1", page: 1, pageSize: 20 } },
  { path: "admin.sessions.disputes", as: "admin", input: { state: "open", page: 1, pageSize: 20 } },
  { path: "admin.sessions.disputes", as: "admin", input: { state: "resolved", page: 1, pageSize: 20 } },
  { path: "admin.credits.forLearner", as: "admin", input: { learnerId: "bench-b-1", page: 1, pageSize: 20 } },
  { path: "admin.users.search", as: "admin", input: { query: "bench", page: 1, pageSize: 20 } },
  { path: "admin.teachers.list", as: "admin", input: { query: "", page: 1, pageSize: 20 } },
  {
    path: "admin.payroll.report",
    as: "admin",
    input: { from: new Date(Date.now() - 30 * DAY), to: new Date(Date.now() + DAY) },
  },
  { path: "admin.audit.list", as: "admin", input: { page: 1, pageSize: 20 } },
  { path: "admin.outbox.list", as: "admin", input: { page: 1, pageSize: 20 } },
];

export async function explainListQueries(
  server: Server,
  cookies: Record<"learner" | "teacher" | "booker" | "admin", string>,
) {
  const pool = server.database.pool;
  let captured: Captured[] = [];
  // Record what the API sends while one call runs (the calls run one at a time).
  const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
  (pool as unknown as { query: typeof query }).query = (config: unknown, values?: unknown) => {
    const text = typeof config === "string" ? config : (config as QueryConfig).text;
    const params = (Array.isArray(values) ? values : (config as QueryConfig).values) ?? [];
    const name = typeof config === "string" ? undefined : (config as QueryConfig).name;
    captured.push({ text, values: params, name });
    return query(config, values);
  };

  const scans: string[] = [];
  for (const call of CALLS) {
    captured = [];
    const input =
      call.input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(call.input)))}`;
    const response = await fetch(`${server.url}/api/trpc/${call.path}${input}`, {
      headers: { cookie: cookies[call.as] },
    });
    const statements = captured.filter((c) => /^\s*(select|with)\b/i.test(c.text) && !c.text.includes("auth_sessions"));
    console.log(`\n=== ${call.path} (as ${call.as}): HTTP ${response.status}, ${statements.length} statement(s)`);
    for (const statement of statements) {
      const lines = await planOf(pool, statement);
      const kind = statement.name ? `prepared ${statement.name}` : "one-off";
      console.log(`--- (${kind}) ${statement.text.replace(/\s+/g, " ").slice(0, 240)}`);
      for (const line of lines) console.log(`    ${line}`);
      for (const line of lines) {
        const table = BIG_TABLES.find((t) => line.includes(`Seq Scan on ${t} `));
        // A scan the executor never reached costs nothing.
        if (table && !line.includes("never executed")) scans.push(`${call.path}: ${line.trim()}`);
      }
    }
  }
  (pool as unknown as { query: typeof query }).query = query;
  const unique = [...new Set(scans)];
  console.log(`\nSequential scans of big tables: ${unique.length === 0 ? "none" : `\n  ${unique.join("\n  ")}`}`);
}

const EXPLAIN = "explain (analyze, costs off, timing on, summary on)";

/** The plan a statement runs with: a named one's as a warm prepared statement, a one-off's as sent. */
async function planOf(pool: Server["database"]["pool"], statement: Captured): Promise<string[]> {
  const read = (rows: Record<string, string>[]) => rows.map((r) => r["QUERY PLAN"] as string);
  if (!statement.name) return read((await pool.query(`${EXPLAIN} ${statement.text}`, statement.values)).rows);
  const client = await pool.connect();
  await client.query(`prepare bench_explain as ${statement.text}`).catch((error: unknown) => {
    client.release();
    throw error;
  });
  try {
    // EXECUTE takes no bind parameters: its arguments are literals, typed by the prepared statement.
    const literal = (value: unknown) =>
      value === null || value === undefined
        ? "null"
        : client.escapeLiteral(value instanceof Date ? value.toISOString() : String(value));
    const args = statement.values.length > 0 ? `(${statement.values.map(literal).join(", ")})` : "";
    // Postgres weighs a generic plan against the custom ones from the sixth execution on.
    for (let run = 0; run < 6; run++) await client.query(`execute bench_explain${args}`);
    return read((await client.query(`${EXPLAIN} execute bench_explain${args}`)).rows);
  } finally {
    await client.query("deallocate bench_explain");
    client.release();
  }
}
