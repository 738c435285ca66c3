// Child process of `pnpm bench`: a throwaway embedded Postgres, the API with its worker on a
// loopback port, the demo data, and a signed-in learner. Prints one JSON line, then serves.
import { startTestPostgres } from "@lectern/db/testing";
import { DEMO_PASSWORD, seedDemoData } from "../src/seed.ts";
import { Agent, startTestServer } from "../src/testing/index.ts";

const pg = await startTestPostgres();
const server = await startTestServer(pg);
await seedDemoData(server.db, server.auth);

const agent = new Agent({ request: (path, init) => fetch(`${server.url}${path}`, init) });
const signIn = await agent.authPost("/sign-in/email", { email: "learner1@lectern.local", password: DEMO_PASSWORD });
if (!signIn.ok) throw new Error(`bench sign-in failed: ${signIn.status}`);
const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

process.stdout.write(`${JSON.stringify({ url: server.url, cookie })}\n`);
process.once("SIGTERM", () => {
  // autocannon drops its sockets at the deadline; let the handlers still running finish first.
  void new Promise((resolve) => setTimeout(resolve, 500))
    .then(() => server.close())
    .then(() => pg.stop())
    .then(() => process.exit(0));
});
