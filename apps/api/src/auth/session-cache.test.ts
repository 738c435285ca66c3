import { SESSION_CHANGES_LISTENER, schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  Agent,
  poolQueries,
  sessionChangeHeard,
  signedInAs,
  signUpVerified,
  type TestApp,
  trpcError,
} from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";
import { createSessionCache } from "./session-cache.ts";
import { SESSION_USER_STATEMENT } from "./session-sql.ts";

const t = await useTestApp();

/** How many times the session statement ran on `app`'s pool during `work`. */
const sessionReads = async (app: Pick<TestApp, "database">, work: () => Promise<unknown>) =>
  (await poolQueries(app.database.pool, work)).filter((q) => q.name === SESSION_USER_STATEMENT).length;

const signedOut = async (agent: Agent) => {
  expect(await agent.trpc.account.me.query()).toBeNull();
  expect(await trpcError(agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 }))).toMatchObject({
    status: 401,
    appCode: "UNAUTHENTICATED",
  });
};

/** A connection of another process: what it commits, this process only hears about. */
async function elsewhere<T>(work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: t.env.DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe("the session cache", () => {
  it("reads a session once, then reuses it: later requests spend no query on who is calling", async () => {
    const { agent } = await signUpVerified(t, { email: "cached@example.com" });
    await agent.trpc.account.me.query();
    const reads = await sessionReads(t, async () => {
      for (let i = 0; i < 5; i++) await agent.trpc.account.me.query();
      await agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 });
    });
    expect(reads).toBe(0);
  });

  it("sees a change committed through this process in the very next request", async () => {
    const admin = await signedInAs(t, "admin");
    const { agent, user } = await signUpVerified(t, { email: "renamed@example.com" });
    expect(await agent.trpc.account.me.query()).toMatchObject({ name: expect.any(String), role: "learner" });

    await agent.trpc.account.updateProfile.mutate({ name: "New Name", timezone: "Asia/Tokyo", locale: "ar" });
    expect(await agent.trpc.account.me.query()).toMatchObject({ name: "New Name", timezone: "Asia/Tokyo" });
    await admin.agent.trpc.admin.users.setRole.mutate({ userId: user.id, role: "teacher" });
    expect(await agent.trpc.account.me.query()).toMatchObject({ role: "teacher" });
    await admin.agent.trpc.admin.users.disable.mutate({ userId: user.id, reason: "Fraud" });
    await signedOut(agent);
  });

  it("while this process writes a change to a user, reads that user's session from the database until it commits", async () => {
    const { agent, user } = await signUpVerified(t, { email: "under-way@example.com" });
    await agent.trpc.account.me.query();
    let commit = () => {};
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let updated = false;
    const writing = t.db.transaction(async (tx) => {
      await tx.update(schema.users).set({ name: "Being Renamed" }).where(eq(schema.users.id, user.id));
      updated = true;
      await committed;
    });
    try {
      await waitFor(() => updated);
      // Not committed: the old name, read from the database each time and not kept.
      const reads = await sessionReads(t, async () => {
        for (let i = 0; i < 3; i++)
          expect(await agent.trpc.account.me.query()).not.toMatchObject({ name: "Being Renamed" });
      });
      expect(reads).toBe(3);
    } finally {
      commit();
    }
    const announced = sessionChangeHeard(t, user.id);
    await writing;
    expect(await agent.trpc.account.me.query()).toMatchObject({ name: "Being Renamed" });
    await announced;
    await agent.trpc.account.me.query();
    expect(await sessionReads(t, () => agent.trpc.account.me.query())).toBe(0);
  });

  it("forgets a session signed out, in every request after", async () => {
    const { agent } = await signUpVerified(t, { email: "signs-out@example.com" });
    // A copy of the cookies: the sign-out clears the agent's own.
    const kept = new Agent(t.app, { ip: agent.ip }, new Map(agent.cookies));
    expect(await kept.trpc.account.me.query()).not.toBeNull();
    expect((await agent.authPost("/sign-out", {})).status).toBe(200);
    // `kept` still sends the cookie the sign-out revoked.
    await signedOut(kept);
  });

  it("drops its copy when another process commits a change, as soon as it is announced", async () => {
    const other = t.instance();
    const admin = await signedInAs(t, "admin");
    const { agent, user } = await signUpVerified(t, { email: "two-processes@example.com" });
    const onB = agent.with({ target: other.app });
    expect(await onB.trpc.account.me.query()).toMatchObject({ id: user.id });
    expect(await sessionReads(other, () => onB.trpc.account.me.query())).toBe(0);

    // A rename through another connection, then a disable through process A.
    let announced = sessionChangeHeard(other, user.id);
    await elsewhere((c) => c.query("update users set name = 'Renamed Elsewhere' where id = $1", [user.id]));
    await announced;
    expect(await onB.trpc.account.me.query()).toMatchObject({ name: "Renamed Elsewhere" });
    announced = sessionChangeHeard(other, user.id);
    await admin.agent.trpc.admin.users.disable.mutate({ userId: user.id, reason: "Fraud" });
    await announced;
    await signedOut(onB);
  });

  it("keeps nothing while it cannot hear announcements, and listens again after the connection drops", async () => {
    const other = t.instance();
    const { agent } = await signUpVerified(t, { email: "deaf@example.com" });
    const onB = agent.with({ target: other.app });
    await onB.trpc.account.me.query();
    await waitFor(() => other.database.sessionChanges.listening);

    await elsewhere((c) =>
      c.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = $2", [
        SESSION_CHANGES_LISTENER,
        new URL(t.env.DATABASE_URL ?? "").pathname.slice(1),
      ]),
    );
    await waitFor(() => !other.database.sessionChanges.listening);
    expect(await sessionReads(other, () => Promise.all([1, 2, 3].map(() => onB.trpc.account.me.query())))).toBe(3);

    await waitFor(() => other.database.sessionChanges.listening);
    await onB.trpc.account.me.query();
    expect(await sessionReads(other, () => onB.trpc.account.me.query())).toBe(0);
  });

  it("does not keep a read that an announcement overtook: it may hold the state before the change", async () => {
    const { user } = await signUpVerified(t, { email: "overtaken@example.com" });
    const cache = createSessionCache(t.database.sessionChanges, 60_000);
    await waitFor(() => t.database.sessionChanges.listening);
    let loads = 0;
    const staleRow = async () => {
      loads += 1;
      const [row] = await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id));
      // The change commits while this read is under way (through this process: heard before it returns).
      await t.db
        .update(schema.users)
        .set({ name: `Changed ${loads}` })
        .where(eq(schema.users.id, user.id));
      return { user_id: user.id, id: row?.id } as never;
    };
    await cache.read("token", staleRow);
    await cache.read("token", staleRow);
    expect(loads).toBe(2);
  });

  it("reads the session on every request when SESSION_CACHE_TTL_MS is 0", async () => {
    const uncached = t.instance({ SESSION_CACHE_TTL_MS: "0" });
    const { agent } = await signUpVerified(t, { email: "uncached@example.com" });
    const onB = agent.with({ target: uncached.app });
    await onB.trpc.account.me.query();
    expect(await sessionReads(uncached, () => Promise.all([1, 2, 3].map(() => onB.trpc.account.me.query())))).toBe(3);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
