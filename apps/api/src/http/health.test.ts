import { createDatabase } from "@lectern/db";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../app.ts";
import { createAuth } from "../auth/index.ts";
import { Agent, rawTrpc, signUpVerified } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();

/** The same API whose database has gone away (wrong database name: every query fails). */
function appWithoutDatabase() {
  const url = new URL(String(t.env.DATABASE_URL));
  url.pathname = "/lectern_database_that_does_not_exist";
  const database = createDatabase(url.toString(), { max: 2, onError: () => {} });
  afterAll(() => database.close());
  const auth = createAuth({ db: database.db, env: t.env, logger: t.logger });
  return createApp({ env: t.env, database, auth, logger: t.logger });
}

const noStack = (text: string) => {
  expect(text).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  expect(text).not.toMatch(/"stack":"/);
  expect(text).not.toContain("node_modules");
};

describe("health", () => {
  it("/healthz answers 200 while the process is up", async () => {
    const response = await t.app.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 with the migrations current", async () => {
    const response = await t.app.request("/readyz");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; migrations: { current: boolean; applied: number } };
    expect(body.status).toBe("ready");
    expect(body.migrations.current).toBe(true);
    expect(body.migrations.applied).toBeGreaterThan(0);
    expect(body.migrations).toMatchObject({ expected: body.migrations.applied });
  });

  it("/readyz answers 503 when migrations are pending", async () => {
    const { rows } = await t.db.execute<{ id: number; hash: string; created_at: string }>(
      sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id desc limit 1`,
    );
    const latest = rows[0];
    if (!latest) throw new Error("no migrations applied");
    await t.db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${latest.id}`);
    try {
      const response = await t.app.request("/readyz");
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "migrations pending", migrations: { current: false } });
    } finally {
      await t.db.execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at)
        values (${latest.id}, ${latest.hash}, ${latest.created_at})`);
    }
    expect((await t.app.request("/readyz")).status).toBe(200);
  });

  it("/readyz answers 503 without details when the database is unreachable", async () => {
    const response = await appWithoutDatabase().request("/readyz");
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "database unreachable" });
  });
});

describe("errors", () => {
  it("an unknown tRPC procedure is a 404", async () => {
    const query = await rawTrpc(t.agent(), "query", "account.noSuchThing");
    expect(query.status).toBe(404);
    expect(query.appCode).toBe("NOT_FOUND");
    const mutation = await rawTrpc(t.agent(), "mutation", "admin.users.nuke", { all: true });
    expect(mutation.status).toBe(404);
    noStack(query.text + mutation.text);
  });

  it("an unknown route is a 404", async () => {
    expect((await t.app.request("/nope")).status).toBe(404);
    expect((await t.app.request("/api/auth/no-such-endpoint")).status).toBe(404);
  });

  it("client mistakes are 4xx with no stack trace", async () => {
    const { agent } = await signUpVerified(t, { email: "errors@example.com" });
    const invalid = await rawTrpc(agent, "mutation", "account.updateProfile", { name: "", timezone: "Mars/Base" });
    expect(invalid.status).toBe(400);
    expect(invalid.appCode).toBe("VALIDATION_FAILED");

    const malformed = await agent.fetch("/api/trpc/account.updateProfile", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);

    const nul = await rawTrpc(agent, "mutation", "account.updateProfile", {
      name: "nul\u0000byte",
      timezone: "UTC",
      locale: "en",
    });
    expect(nul.status).toBe(400);
    expect(nul.appCode).toBe("BAD_REQUEST");

    const auth = await agent.authPost("/sign-in/email", { email: 42 });
    expect(auth.status).toBe(400);

    noStack(invalid.text + (await malformed.text()) + nul.text + (await auth.text()));
  });

  it("server failures are a generic 500 that leaks neither stack nor internals", async () => {
    const broken = appWithoutDatabase();
    const { agent } = await signUpVerified(t, { email: "broken@example.com" });
    const sameBrowser = agent.with({ target: broken });

    const trpc = await rawTrpc(sameBrowser, "query", "account.me");
    expect(trpc.status).toBe(500);
    expect(trpc.appCode).toBe("INTERNAL");
    expect(trpc.body.error?.json.message).toBe("Something went wrong on our side");
    noStack(trpc.text);
    expect(trpc.text).not.toMatch(/lectern_database_that_does_not_exist|ECONNREFUSED|postgres/i);

    const auth = await new Agent(broken).authPost("/sign-in/email", {
      email: "broken@example.com",
      password: "whatever-it-is",
    });
    expect(auth.status).toBeGreaterThanOrEqual(500);
    const authText = await auth.text();
    noStack(authText);
    expect(authText).not.toMatch(/lectern_database_that_does_not_exist|postgres/i);
  });
});
