// Child process of `pnpm bench`: a throwaway embedded Postgres, the API with its worker on a
// loopback port, the demo data plus the bulk tutoring world, and signed-in cookies. Prints one
// JSON line, then serves until SIGTERM.

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
