// The production path, end to end: Debian's PostgreSQL server, `db:migrate`, the API and separate
// worker processes with NODE_ENV=production, over real HTTP. Slow (processes, maybe apt-get): the
// rules themselves are tested in-process elsewhere; this proves the deployment shape holds them.
import { IDEMPOTENCY_KEY_HEADER } from "@lectern/api-contract";
import { freePort } from "@lectern/db";
import pg from "pg";
import superjson, { type SuperJSONResult } from "superjson";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { ALWAYS, slotIn } from "../modules/tutoring/testing.ts";
import { type Agent, TEST_PASSWORD, trpcError } from "../testing/index.ts";
import { startFakeSmtp } from "../testing/smtp.ts";
import {
  ensureBuiltApps,
  eventually,
  httpAgent,
  type LecternProcess,
  migrate,
  type PostgresServer,
  postgresUnavailable,
  productionEnv,
  startEntry,
  startPostgresServer,
  tail,
} from "./harness.ts";

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`SKIPPED the production tests: ${unavailable}`);

const MINUTES = 60_000;

describe.skipIf(unavailable)("production entries on a real PostgreSQL server", { timeout: 2 * MINUTES }, () => {
  let server: PostgresServer;
  const processes: LecternProcess[] = [];
  const pools: pg.Pool[] = [];

  /** Starts an entry, stopped after the file (even when a later step fails). */
  async function start(entry: "api" | "worker", env: Record<string, string>, name: string) {
    const proc = startEntry(entry, env, name);
    processes.push(proc);
    await proc.waitForOutput(entry === "api" ? /"msg":"API listening"/ : /"msg":"worker running"/);
    return proc;
  }

  /** A database of its own on the server, and a pool for the test's own reads. */
  async function database(name: string) {
    const url = await server.createDatabase(name);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return { url, pool };
  }

  const printLogsOnFailure = () =>
    onTestFailed(() => {
      for (const p of processes) console.error(tail(p));
    });

  beforeAll(async () => {
    await ensureBuiltApps();
    server = await startPostgresServer();
  }, 15 * MINUTES);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(pools.map((p) => p.end()));
    await server?.stop();
  }, 2 * MINUTES);

  /** Signs up over HTTP and follows the verification link, as a person would. */
  async function signUp(agent: Agent, email: string, readLink: (email: string) => Promise<string>) {
    const response = await agent.authPost("/sign-up/email", {
      name: email.split("@")[0],
      email,
      password: TEST_PASSWORD,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const token = new URL(await readLink(email)).searchParams.get("token");
    const verified = await agent.authGet(`/verify-email?token=${encodeURIComponent(token ?? "")}`);
    expect(verified.status).toBeLessThan(400);
    const me = await agent.trpc.account.me.query();
    if (!me) throw new Error(`${email} is not signed in after verifying`);
    return me;
  }

  /** There is no admin yet on a new deployment: the operator promotes the first one in SQL. */
  const promoteToAdmin = (pool: pg.Pool, userId: string) =>
    pool.query(`update users set role = 'admin' where id = $1`, [userId]);

  /** An admin makes a teacher (with a rate) and gives a learner a pack of credits, over HTTP. */
  async function tutoringWorld(admin: Agent, teacher: { agent: Agent; id: string }, learnerId: string) {
    await admin.trpc.admin.users.setRole.mutate({ userId: teacher.id, role: "teacher" });
    await admin.trpc.admin.teachers.setRate.mutate({
      teacherId: teacher.id,
      hourlyRateMinor: 3000,
      rateCurrency: "USD",
    });
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const pack = await admin.trpc.admin.packs.create.mutate({ name: "Four", sessions: 4 });
    await admin.trpc.admin.credits.grant.mutate({ learnerId, packId: pack.id });
  }

  describe("one API and one worker process, the built apps served by the API (SERVE_APPS)", () => {
    let port: number;
    let publicUrl: string;
    let pool: pg.Pool;
    let api: LecternProcess;
    let worker: LecternProcess;
    const agent = (ip?: string) => httpAgent(port, publicUrl, { ip });
    /** Local email mode (no SMTP_URL): the link is read from the outbox table. */
    const outboxLink = async (to: string) => {
      const { rows } = await pool.query<{ text_body: string }>(
        `select text_body from email_outbox where to_address = $1 and template = 'verify-email'
         order by created_at desc limit 1`,
        [to],
      );
      const link = rows[0]?.text_body.match(/https?:\/\/\S+/)?.[0];
      if (!link) throw new Error(`no verification link for ${to}`);
      return link;
    };

    beforeAll(async () => {
      let url: string;
      ({ url, pool } = await database("lectern_production"));
      port = await freePort();
      publicUrl = `http://localhost:${port}`;
      const env = productionEnv(url, { port, publicUrl }, { SERVE_APPS: "true" });
      await migrate(env);
      api = await start("api", env, "api");
      worker = await start("worker", env, "worker");
    }, 5 * MINUTES);

    it("is ready once migrated, and serves the web app at / and the console at /admin/", async () => {
      printLogsOnFailure();
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "ready", migrations: { current: true } });
      // The API process runs no jobs: WORKER_IN_PROCESS=false.
      expect(api.output.find((l) => l.includes('"msg":"API listening"'))).toContain('"worker":false');

      const web = await fetch(`http://127.0.0.1:${port}/sessions`);
      expect(web.status).toBe(200);
      expect(await web.text()).toContain("<title>Lectern</title>");
      const consolePage = await fetch(`http://127.0.0.1:${port}/admin/`);
      const html = await consolePage.text();
      expect(html).toContain("<title>Lectern admin</title>");
      const script = html.match(/src="(\/admin\/assets\/[^"]+\.js)"/)?.[1];
      const asset = await fetch(`http://127.0.0.1:${port}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("cache-control")).toContain("immutable");
    });

    it("signs up and in, lets a learner book a teacher an admin set up, and the worker process sends the emails", async () => {
      printLogsOnFailure();
      const admin = agent();
      const adminUser = await signUp(admin, "admin@example.com", outboxLink);
      await promoteToAdmin(pool, adminUser.id);
      const teacherAgent = agent();
      const teacher = await signUp(teacherAgent, "teacher@example.com", outboxLink);
      const learnerId = (await signUp(agent(), "learner@example.com", outboxLink)).id;
      await tutoringWorld(admin, { agent: teacherAgent, id: teacher.id }, learnerId);

      // Signing in again, on a new browser.
      const learner = agent();
      const signIn = await learner.authPost("/sign-in/email", {
        email: "learner@example.com",
        password: TEST_PASSWORD,
      });
      expect(signIn.status).toBe(200);
      const startsAt = slotIn(48);
      const session = await learner.trpc.tutoring.sessions.book.mutate({
        teacherId: teacher.id,
        startsAt,
        durationMinutes: 60,
      });
      expect(session).toMatchObject({ status: "booked", startsAt, teacher: { id: teacher.id } });
      expect((await learner.trpc.credits.balance.query()).totalAvailable).toBe(3);

      // Only the worker process can have handled them: the API runs no jobs here.
      const booked = await eventually("both booking emails handled", async () => {
        const { rows } = await pool.query<{ to_address: string; status: string; attempts: number }>(
          `select to_address, status, attempts from email_outbox where template = 'session-booked'`,
        );
        return rows.length === 2 && rows.every((r) => r.status !== "queued") && rows;
      });
      expect(booked.map((r) => [r.to_address, r.status, r.attempts]).sort()).toEqual([
        ["learner@example.com", "logged", 1],
        ["teacher@example.com", "logged", 1],
      ]);
      const logged = (p: LecternProcess) => p.output.filter((l) => l.includes("email kept in outbox")).length;
      // Three verifications and two bookings (the log line may trail the database write).
      await eventually("the worker's log", async () => logged(worker) === 5);
      expect(logged(api)).toBe(0);
    });
  });

  describe("scaling out: two API processes and two worker processes on one database", () => {
    const publicUrl = "http://localhost:8080"; // the load balancer's address, the same for every process
    let ports: [number, number];
    let pool: pg.Pool;
    let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
    /** A browser reaching API process A or B; `same` keeps another agent's cookies (one browser). */
    const via = (which: 0 | 1, options: { ip?: string; same?: Agent } = {}) =>
      httpAgent(ports[which], publicUrl, {
        ip: options.ip ?? options.same?.ip ?? undefined,
        cookies: options.same?.cookies,
      });
    /** Real delivery: the link arrives at the fake SMTP server, sent by one of the workers. */
    const smtpLink = async (to: string) => {
      const mail = await eventually(`an email to ${to}`, async () => smtp.received.find((m) => m.to.includes(to)));
      // Quoted-printable: soft line breaks and "=" escapes.
      const text = mail.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
      const link = text.match(/https?:\/\/\S+\/verify-email\?token=[^\s"<]+/)?.[0];
      if (!link) throw new Error(`no verification link in the email to ${to}`);
      return link;
    };

    beforeAll(async () => {
      smtp = await startFakeSmtp();
      let url: string;
      ({ url, pool } = await database("lectern_scale"));
      ports = [await freePort(), await freePort()];
      const env = (port: number) => productionEnv(url, { port, publicUrl }, { SMTP_URL: smtp.url });
      await migrate(env(ports[0]));
      await Promise.all([
        start("api", env(ports[0]), "api-a"),
        start("api", env(ports[1]), "api-b"),
        start("worker", env(ports[0]), "worker-1"),
        start("worker", env(ports[1]), "worker-2"),
      ]);
    }, 5 * MINUTES);

    afterAll(() => smtp?.close());

    it("shares the sign-in limit: the 6th attempt from one address is refused by either process", async () => {
      printLogsOnFailure();
      await signUp(via(0), "limited@example.com", smtpLink);
      const ip = "203.0.113.50";
      const attempt = (which: 0 | 1, password = "wrong-password") =>
        via(which, { ip })
          .authPost("/sign-in/email", { email: "limited@example.com", password })
          .then((r) => r.status);
      for (const which of [0, 1, 0, 1, 0] as const) expect(await attempt(which)).toBe(401);
      expect(await attempt(1, TEST_PASSWORD)).toBe(429);
      expect(await attempt(0, TEST_PASSWORD)).toBe(429);
    });

    it("disabling a user through process A signs them out on process B at once", async () => {
      printLogsOnFailure();
      const admin = via(0);
      await promoteToAdmin(pool, (await signUp(admin, "scale-admin@example.com", smtpLink)).id);
      const onA = via(0);
      const user = await signUp(onA, "disabled@example.com", smtpLink);
      const onB = via(1, { same: onA });
      expect(await onB.trpc.account.me.query()).toMatchObject({ id: user.id });

      await admin.trpc.admin.users.disable.mutate({ userId: user.id, reason: "Testing" });
      expect(await onB.trpc.account.me.query()).toBeNull();
      expect(await trpcError(onB.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 }))).toMatchObject({
        status: 401,
      });
    });

    it("runs each job once: emails enqueued through both processes reach the mail server exactly once", async () => {
      printLogsOnFailure();
      const emails = Array.from({ length: 16 }, (_, i) => `many-${i}@example.com`);
      await Promise.all(
        emails.map((email, i) =>
          via((i % 2) as 0 | 1)
            .authPost("/sign-up/email", { name: "Many", email, password: TEST_PASSWORD })
            .then((r) => expect(r.status).toBe(200)),
        ),
      );
      const countTo = (email: string) => smtp.received.filter((m) => m.to.includes(email)).length;
      await eventually("every email delivered", async () => emails.every((e) => countTo(e) >= 1), 60_000);
      // Both workers poll every second: give a duplicate the time to show up.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(emails.map(countTo)).toEqual(emails.map(() => 1));
      const { rows } = await pool.query<{ status: string; attempts: number }>(
        `select status, attempts from email_outbox where to_address = any($1)`,
        [emails],
      );
      expect(rows).toHaveLength(emails.length);
      expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
      const { rows: left } = await pool.query(
        `select id from graphile_worker.jobs where task_identifier = 'email.deliver'`,
      );
      expect(left).toEqual([]);
    });

    it("replays an Idempotency-Key sent to A when the retry reaches B: one booking, one credit", async () => {
      printLogsOnFailure();
      const admin = via(1);
      await promoteToAdmin(pool, (await signUp(admin, "idem-admin@example.com", smtpLink)).id);
      const teacherAgent = via(1);
      const teacher = await signUp(teacherAgent, "idem-teacher@example.com", smtpLink);
      const learnerA = via(0);
      const learner = await signUp(learnerA, "idem-learner@example.com", smtpLink);
      await tutoringWorld(admin, { agent: teacherAgent, id: teacher.id }, learner.id);

      const input = { teacherId: teacher.id, startsAt: slotIn(72), durationMinutes: 60 };
      const book = (agent: Agent) =>
        agent.fetch("/api/trpc/tutoring.sessions.book", {
          method: "POST",
          headers: { "content-type": "application/json", [IDEMPOTENCY_KEY_HEADER]: "booking-retry-0001" },
          body: JSON.stringify(superjson.serialize(input)),
        });
      const first = await book(learnerA);
      expect(first.status).toBe(200);
      const retry = await book(via(1, { same: learnerA }));
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      const id = async (r: Response) =>
        superjson.deserialize<{ id: string }>(((await r.json()) as { result: { data: SuperJSONResult } }).result.data)
          .id;
      expect(await id(retry)).toBe(await id(first));
      const { rows } = await pool.query(`select id from tutoring_sessions where learner_id = $1`, [learner.id]);
      expect(rows).toHaveLength(1);
      expect((await learnerA.trpc.credits.balance.query()).totalAvailable).toBe(3);
    });
  });
});
