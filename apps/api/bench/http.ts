// `pnpm bench`: loads the API on loopback for a bounded time and prints req/s, p50 and p99.
// Figures, not pass/fail: timing never fails a run.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import superjson from "superjson";
import { bookingFor } from "./tutoring-data.ts";

const args = process.argv.slice(2);
const EXPLAIN = args.includes("--explain");
const DURATION_SECONDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 10);
const CONNECTIONS = 32;

/** Starts a bench child process and reads the JSON line it prints once it serves. */
async function startChild(script: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  // The child's own log matters only if it fails to start (its shutdown is noisy by design).
  let log = "";
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}\n${log}`)));
  });
  return { child, ready: JSON.parse(firstLine) as unknown };
}

async function stopChild(child: ReturnType<typeof spawn>) {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}

if (EXPLAIN) {
  // The server child prints the plans itself and exits.
  const child = spawn(process.execPath, [new URL("./server.ts", import.meta.url).pathname], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, BENCH_EXPLAIN: "true" },
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  process.exit(code ?? 1);
}

const lectern = await startChild("./server.ts");
const { url, learnerCookie, bookerCookies, world, buildSeconds, baselineEnv } = lectern.ready as {
  url: string;
  learnerCookie: string;
  bookerCookies: Record<string, string>;
  world: { sessions: number };
  buildSeconds: number;
  baselineEnv: Record<string, string>;
};
const baseline = await startChild("./baseline.ts", baselineEnv);
const baselineUrl = (baseline.ready as { url: string }).url;

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  name: string,
  path: string,
  headers: Record<string, string> = {},
  options: Partial<autocannon.Options> = {},
  base = url,
): Promise<Figures> {
  const result = await autocannon({
    url: `${base}${path}`,
    headers,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    ...options,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
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
  const book = await load(
    "tRPC tutoring.sessions.book",
    "/api/trpc/tutoring.sessions.book",
    {},
    {
      requests: [bookingRequest],
    },
  );
  const bookBaseline = await load(
    "  baseline: same SQL, Hono + pg",
    "/book",
    {},
    { requests: [baselineBookingRequest] },
    baselineUrl,
  );

  console.log(`\nLectern API, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, loopback, embedded Postgres`);
  console.log(
    `dataset: 1,000 teachers, ${world.sessions.toLocaleString("en")} sessions (built in ${buildSeconds.toFixed(1)} s); ${bookings} booking attempts (baseline ${baselineBookings})\n`,
  );
  console.log(
    `${"endpoint".padEnd(40)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(8)}${"vs baseline".padStart(13)}`,
  );
  const rows: [Figures, Figures | null][] = [
    [health, null],
    [me, null],
    [meBaseline, me],
    [upcoming, null],
    [upcomingBaseline, upcoming],
    [book, null],
    [bookBaseline, book],
  ];
  for (const [f, measured] of rows) {
    // A baseline row shows the ratio of the Lectern line above it to that baseline.
    const ratio = measured ? `${(measured.rps / f.rps).toFixed(2)}×`.padStart(13) : "";
    console.log(
      `${f.name.padEnd(40)}${f.rps.toFixed(0).padStart(10)}${String(f.p50).padStart(9)}${String(f.p99).padStart(9)}${String(f.errors).padStart(8)}${ratio}`,
    );
  }
} finally {
  await stopChild(baseline.child);
  await stopChild(lectern.child);
}
