// Child process of `pnpm bench`: a throwaway embedded Postgres, the API with its worker on a
// loopback port, the demo data plus the bulk tutoring world, and signed-in cookies. Prints one
// JSON line, then serves until SIGTERM.

import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { schema } from "@lectern/db";
import { startTestPostgres } from "@lectern/db/testing";
import { eq } from "drizzle-orm";
import { seedDemoData } from "../src/seed.ts";
import { startTestServer } from "../src/testing/index.ts";
import { explainListQueries } from "./explain.ts";
import { BOOKERS, buildTutoringWorld, cookieFor } from "./tutoring-data.ts";

const pg = await startTestPostgres();
const server = await startTestServer(pg);
await seedDemoData(server.db, server.auth);
const started = performance.now();
const world = await buildTutoringWorld(server);
const buildSeconds = (performance.now() - started) / 1000;

const bookerCookies: Record<string, string> = {};
for (let b = 1; b <= BOOKERS; b++) bookerCookies[`bench-b-${b}`] = await cookieFor(server, `bench-b-${b}`);
// bench-l-1 has ~50 upcoming sessions among the 100,000.
const learnerCookie = await cookieFor(server, "bench-l-1");

if (process.argv.includes("--explain")) {
  const [admin] = await server.db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.email, "admin@lectern.local"));
  await explainListQueries(server, {
    learner: learnerCookie,
    teacher: await cookieFor(server, "bench-t-1"),
    booker: bookerCookies["bench-b-1"] ?? "",
    admin: await cookieFor(server, admin?.id ?? ""),
  });
  await server.close();
  await pg.stop();
  process.exit(0);
}

// SIGUSR2 from bench/http.ts, around each load phase: prints the CPU time used so far (one JSON line).
// With `pnpm bench --profile=<dir>`, it also ends the CPU profile of the phase before (written as
// <dir>/<n>.cpuprofile; http.ts writes the phases' names beside them) and starts the next one.
const settings = process.argv[2]?.startsWith("{") ? (JSON.parse(process.argv[2]) as { profileDir?: string }) : {};
const inspector = settings.profileDir ? new Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.setSamplingInterval", { interval: 200 });
}
let phase = 0;
process.on("SIGUSR2", () => {
  void (async () => {
    if (inspector) {
      if (phase > 0) {
        const { profile } = await inspector.post("Profiler.stop");
        writeFileSync(`${settings.profileDir}/${phase}.cpuprofile`, JSON.stringify(profile));
      }
      await inspector.post("Profiler.start");
    }
    phase += 1;
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
  })();
});

// The baseline server (bench/baseline.ts) reads the same database and verifies the same cookies.
const baselineSettings = { DATABASE_URL: server.env.DATABASE_URL, BETTER_AUTH_SECRET: server.env.BETTER_AUTH_SECRET };
process.stdout.write(
  `${JSON.stringify({ url: server.url, learnerCookie, bookerCookies, world, buildSeconds, baselineSettings })}\n`,
);
process.once("SIGTERM", () => {
  // autocannon drops its sockets at the deadline; let the handlers still running finish first.
  void new Promise((resolve) => setTimeout(resolve, 2_000))
    .then(() => server.close())
    .then(() => pg.stop())
    .then(() => process.exit(0));
});
