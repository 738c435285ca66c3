// `pnpm bench`: loads the API on loopback for a bounded time and prints req/s, p50 and p99.
// Figures, not pass/fail: timing never fails a run.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { createDatabase } from "@lectern/db";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import superjson from "superjson";
import { balanceDrift, unbalancedTransactions } from "../src/modules/ledger/service.ts";
import { moneyBench } from "./money.ts";
import { bookingFor } from "./tutoring-data.ts";
import { sampleWaits } from "./waits.ts";

const args = process.argv.slice(2);
const EXPLAIN = args.includes("--explain");
const DURATION_SECONDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
// `--profile=<dir>`: the Lectern child writes a CPU profile of each load phase there (bench/server.ts).
const PROFILE_DIR = args.find((a) => a.startsWith("--profile="))?.slice("--profile=".length);
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
// `--reads`: only the read lines (health, account.me, upcoming) and their baselines, for quick turns.
const READS_ONLY = args.includes("--reads");
const CONNECTIONS = 32;

/**
 * Starts a bench child process and reads the JSON line it prints once it serves. Later lines answer
 * SIGUSR2: the CPU time the child has used so far (and, for a profiling Lectern child, its profile of
 * the phase that just ended is written).
 */
async function startChild(script: string, settings: Record<string, string> = {}) {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname, JSON.stringify(settings)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The child's own log matters only if it fails to start (its shutdown is noisy by design).
  let log = "";
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const lines: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const next = waiting.shift();
    if (next) next.resolve(line);
    else lines.push(line);
  });
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${script} exited with ${code}\n${log}`));
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const line = lines.shift();
      if (line !== undefined) resolve(line);
      else if (child.exitCode !== null) reject(new Error(`${script} exited with ${child.exitCode}\n${log}`));
      else waiting.push({ resolve, reject });
    });
  const ready = JSON.parse(await nextLine()) as unknown;
  /** CPU microseconds (user + system) the child has used. */
  const cpuMicros = async () => {
    child.kill("SIGUSR2");
    return (JSON.parse(await nextLine()) as { cpuMicros: number }).cpuMicros;
  };
  return { child, ready, cpuMicros };
}

async function stopChild(child: ReturnType<typeof spawn>) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

if (EXPLAIN) {
  // The server child prints the plans itself and exits.
  const child = spawn(process.execPath, [new URL("./server.ts", import.meta.url).pathname, "--explain"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  process.exit(code ?? 1);
}

const lectern = await startChild("./server.ts", PROFILE_DIR ? { profileDir: PROFILE_DIR } : {});
const { url, learnerCookie, bookerCookies, world, buildSeconds, baselineSettings } = lectern.ready as {
  url: string;
  learnerCookie: string;
  bookerCookies: Record<string, string>;
  world: { sessions: number };
  buildSeconds: number;
  baselineSettings: Record<string, string>;
};
const baseline = await startChild("./baseline.ts", baselineSettings);
const baselineUrl = (baseline.ready as { url: string }).url;
// The money lines' baseline (bench/money.ts): checkout and webhook apply as bare SQL.
const moneyBaseline = await startChild("./money-baseline.ts", baselineSettings);
const moneyBaselineUrl = (moneyBaseline.ready as { url: string }).url;

const profilePhases: string[] = [];
/** The CPU the child used so far; the Lectern child also ends its profile of the phase before and starts `phase`'s. */
async function cpuAt(child: typeof lectern, phase: string) {
  if (PROFILE_DIR && child === lectern) {
    profilePhases.push(phase);
    writeFileSync(`${PROFILE_DIR}/phases.json`, JSON.stringify(profilePhases));
  }
  return child.cpuMicros();
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs of the serving process per answered request (what the load costs it, whatever else runs); bench children only */
  cpuPerRequest?: number;
}

async function load(
  name: string,
  path: string,
  headers: Record<string, string> = {},
  options: Partial<autocannon.Options> = {},
  base = url,
): Promise<Figures> {
  const server =
    base === url ? lectern : base === baselineUrl ? baseline : base === moneyBaselineUrl ? moneyBaseline : null;
  const cpuBefore = server ? await cpuAt(server, name.trim()) : 0;
  const result = await autocannon({
    url: `${base}${path}`,
    headers,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    ...options,
  });
  const cpuPerRequest = server
    ? ((await cpuAt(server, "idle")) - cpuBefore) / Math.max(1, result.requests.total)
    : undefined;
  const errors = result.errors + result.timeouts + result.non2xx;
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    cpuPerRequest,
  };
}

// Each booking request is a different learner, teacher and hour: every one should succeed.
const DAY = 24 * 60 * 60 * 1000;
const firstDay = Math.ceil(Date.now() / DAY) * DAY + 8 * DAY;
let bookings = 0;
const bookingRequest: autocannon.Request = {
  method: "POST",
  path: "/api/trpc/tutoring.sessions.book",
  setupRequest: (request) => {
    const { booker, teacherId, startsAt } = bookingFor(bookings++, firstDay);
    return {
      ...request,
      // A cookie POST must carry a trusted Origin: the test server's web app (TEST_ORIGIN).
      headers: {
        ...request.headers,
        "content-type": "application/json",
        origin: "http://localhost:5173",
        cookie: bookerCookies[booker] ?? "",
      },
      body: JSON.stringify(superjson.serialize({ teacherId, startsAt, durationMinutes: 60 })),
    };
  },
};
// The baseline books its own hours (from 20 days ahead), so the two runs never take each other's slots.
let baselineBookings = 0;
const BASELINE_FIRST_BOOKING = 100_000;
const baselineBookingRequest: autocannon.Request = {
  method: "POST",
  path: "/book",
  setupRequest: (request) => {
    const { booker, teacherId, startsAt } = bookingFor(BASELINE_FIRST_BOOKING + baselineBookings++, firstDay);
    return {
      ...request,
      headers: { ...request.headers, "content-type": "application/json", cookie: bookerCookies[booker] ?? "" },
      body: JSON.stringify({ teacherId, startsAt: startsAt.toISOString(), durationMinutes: 60 }),
    };
  },
};
const upcomingPath = `/api/trpc/tutoring.sessions.upcoming?input=${encodeURIComponent(
  JSON.stringify(superjson.serialize({ page: 1, pageSize: 20 })),
)}`;

/** Booked sessions that overlap an earlier booked one of the same teacher or learner: must be 0. */
async function overlappingSessions(db: ReturnType<typeof createDatabase>["db"]) {
  const overlaps = (by: "teacher_id" | "learner_id") =>
    db.execute<{ n: number }>(sql`
      select count(*)::int as n from (
        select starts_at, max(ends_at) over (partition by ${sql.raw(by)} order by starts_at, id
          rows between unbounded preceding and 1 preceding) as earlier_end
        from tutoring_sessions where status = 'booked') s
      where s.starts_at < s.earlier_end`);
  const [teacher, learner] = [await overlaps("teacher_id"), await overlaps("learner_id")];
  return { teacher: teacher.rows[0]?.n ?? 0, learner: learner.rows[0]?.n ?? 0 };
}

/** Debian's pgbench (the postgresql package), if installed. */
function findPgbench(): string | null {
  const versions = existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql").sort().reverse() : [];
  const candidates = [...versions.map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`), "/usr/bin/pgbench"];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/**
 * pgbench's tpcb-like transaction against the same embedded server (a database of its own, scale
 * 10): what this machine's Postgres does with plain short transactions, beside the booking figures.
 */
async function pgbenchTps(databaseUrl: string, seconds: number): Promise<string> {
  const pgbench = findPgbench();
  if (!pgbench) return "pgbench not found: install it with `apt-get install postgresql` (Debian/Ubuntu)";
  // libpq takes a connection URI in place of a database name.
  const target = new URL(databaseUrl);
  target.pathname = "/bench_pgbench";
  const admin = createDatabase(databaseUrl, { max: 1 });
  try {
    await admin.db.execute(sql`drop database if exists bench_pgbench`);
    await admin.db.execute(sql`create database bench_pgbench`);
  } finally {
    await admin.close();
  }
  const run = promisify(execFile);
  await run(pgbench, ["-i", "-s", "10", "-q", target.toString()]);
  const { stdout } = await run(pgbench, [
    "-c",
    "16",
    "-j",
    "2",
    "-T",
    String(seconds),
    "-b",
    "tpcb-like",
    target.toString(),
  ]);
  const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
  return tps ? `${Number(tps).toFixed(0)} tps` : `no tps in pgbench's output:\n${stdout}`;
}

/** The figures as a table; a baseline row (one with the Lectern line it measures) shows the ratios. */
function printTable(rows: [Figures, Figures | null][], datasetNote: string) {
  console.log(`\nLectern API, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, loopback, embedded Postgres`);
  console.log(
    `dataset: 1,000 teachers, ${world.sessions.toLocaleString("en")} sessions (built in ${buildSeconds.toFixed(1)} s)${datasetNote}\n`,
  );
  console.log(
    `${"endpoint".padEnd(40)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(8)}${"vs baseline".padStart(13)}${"CPU µs/req".padStart(12)}${"CPU vs base".padStart(13)}`,
  );
  for (const [f, measured] of rows) {
    // A baseline row shows the ratio of the Lectern line above it to that baseline,
    // and the ratio of their CPU per request (baseline ÷ Lectern): the same comparison, less moved by other load.
    const ratio = measured ? `${(measured.rps / f.rps).toFixed(2)}×` : "";
    const cpuRatio =
      measured?.cpuPerRequest && f.cpuPerRequest ? `${(f.cpuPerRequest / measured.cpuPerRequest).toFixed(2)}×` : "";
    console.log(
      `${f.name.padEnd(40)}${f.rps.toFixed(0).padStart(10)}${String(f.p50).padStart(9)}${String(f.p99).padStart(9)}${String(f.errors).padStart(8)}${ratio.padStart(13)}${(f.cpuPerRequest?.toFixed(0) ?? "").padStart(12)}${cpuRatio.padStart(13)}`,
    );
  }
}

try {
  // Warm up the JIT and the connection pool before measuring.
  await autocannon({
    url: `${url}/api/trpc/account.me`,
    headers: { cookie: learnerCookie },
    connections: 8,
    amount: 500,
  });
  const health = await load("GET /healthz", "/healthz");
  const me = await load("tRPC account.me (session + profile)", "/api/trpc/account.me", { cookie: learnerCookie });
  const meBaseline = await load("  baseline: same SQL, Hono + pg", "/me", { cookie: learnerCookie }, {}, baselineUrl);
  const upcoming = await load("tRPC tutoring.sessions.upcoming", upcomingPath, { cookie: learnerCookie });
  const upcomingBaseline = await load(
    "  baseline: same SQL, Hono + pg",
    "/upcoming",
    { cookie: learnerCookie },
    {},
    baselineUrl,
  );
  const reads: [Figures, Figures | null][] = [
    [health, null],
    [me, null],
    [meBaseline, me],
    [upcoming, null],
    [upcomingBaseline, upcoming],
  ];
  if (READS_ONLY) printTable(reads, "");
  else await writePhases(reads);
} finally {
  await stopChild(baseline.child);
  await stopChild(moneyBaseline.child);
  await stopChild(lectern.child);
}

/** Booking and money, each beside its baseline, then the checks after them, and the whole table. */
async function writePhases(reads: [Figures, Figures | null][]) {
  // pg_stat_activity sampled through each booking run (bench/waits.ts): lock waits and the like.
  let waits = sampleWaits(baselineSettings.DATABASE_URL ?? "");
  const book = await load(
    "tRPC tutoring.sessions.book",
    "/api/trpc/tutoring.sessions.book",
    {},
    {
      requests: [bookingRequest],
    },
  );
  const bookWaits = await waits();
  waits = sampleWaits(baselineSettings.DATABASE_URL ?? "");
  const bookBaseline = await load(
    "  baseline: same SQL, Hono + pg",
    "/book",
    {},
    { requests: [baselineBookingRequest] },
    baselineUrl,
  );
  const bookBaselineWaits = await waits();

  // Checkout and the local webhook's apply, each with its own bare baseline (bench/money.ts).
  const money = await moneyBench({ load, settings: baselineSettings, bookerCookies, baselineUrl: moneyBaselineUrl });

  // After the booking runs: no overlapping booked sessions and no ledger drift, whatever the load did.
  const database = createDatabase(baselineSettings.DATABASE_URL ?? "", { max: 2 });
  let checks: { overlaps: { teacher: number; learner: number }; drift: number; unbalanced: number };
  try {
    checks = {
      overlaps: await overlappingSessions(database.db),
      drift: (await balanceDrift(database.db)).length,
      unbalanced: (await unbalancedTransactions(database.db)).length,
    };
  } finally {
    await database.close();
  }
  const pgbench = await pgbenchTps(baselineSettings.DATABASE_URL ?? "", DURATION_SECONDS).catch(
    (error: unknown) => `pgbench failed: ${error instanceof Error ? error.message : String(error)}`,
  );

  printTable(
    [...reads, [book, null], [bookBaseline, book], ...money],
    `; ${bookings} booking attempts (baseline ${baselineBookings})`,
  );
  console.log(
    `\nafter the booking runs: overlapping booked sessions per teacher ${checks.overlaps.teacher}, per learner ${checks.overlaps.learner}; ledger drift ${checks.drift} account(s), ${checks.unbalanced} unbalanced transaction(s)`,
  );
  console.log(`pgbench tpcb-like (-s 10, 16 clients, ${DURATION_SECONDS} s) on the same Postgres: ${pgbench}`);
  console.log("\ndatabase sessions during the booking run (average number in each state; wait, statement):");
  for (const line of bookWaits) console.log(`  ${line}`);
  console.log("during the baseline's booking run:");
  for (const line of bookBaselineWaits) console.log(`  ${line}`);
}
