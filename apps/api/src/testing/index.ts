import { serve } from "@hono/node-server";
import type { ValidationIssue } from "@lectern/api-contract";
import { type Env, parseEnv } from "@lectern/config";
import { createDatabase, freePort, poolOptions, schema } from "@lectern/db";
import { createTestDatabase } from "@lectern/db/testing";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { desc, eq } from "drizzle-orm";
import type pg from "pg";
import superjson from "superjson";
import { createApp } from "../app.ts";
import { createAuth } from "../auth/index.ts";
import { createLogger } from "../logger.ts";
import type { AppRouter } from "../router.ts";
import { startWorker } from "../worker.ts";

export * from "./fakes/index.ts";

export interface TestPg {
  adminUrl: string;
  template: string;
}

export const TEST_ORIGIN = "http://localhost:5173";

/** A fresh database cloned from the migrated template, and the whole API built on it. */
export async function createTestApp(pg: TestPg, overrides: Record<string, string> = {}) {
  const url = await createTestDatabase(pg.adminUrl, pg.template);
  const t = buildApp(url, overrides);
  const others: { close: () => Promise<void> }[] = [];
  return {
    ...t,
    /** Another API process on the same database (its own pool and auth instance). */
    instance(instanceOverrides: Record<string, string> = overrides) {
      const other = buildApp(url, instanceOverrides);
      others.push(other);
      return other;
    },
    close: async () => {
      await Promise.all(others.map((o) => o.close()));
      await t.close();
    },
  };
}

function buildApp(url: string, overrides: Record<string, string>) {
  const env: Env = parseEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: url,
    TRUST_PROXY: "true",
    WEB_URL: TEST_ORIGIN,
    ...overrides,
  });
  const database = createDatabase(url, poolOptions(env));
  const logger = createLogger(env);
  const auth = createAuth({ db: database.db, env, logger });
  const app = createApp({ env, database, auth, logger });
  return {
    app,
    env,
    database,
    db: database.db,
    auth,
    logger,
    /** A browser-like client: keeps cookies, sends the web app's Origin and a client IP. */
    agent: (options: AgentOptions = {}) => new Agent(app, options),
    close: () => database.close(),
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

interface AgentOptions {
  origin?: string | null;
  /** X-Forwarded-For; each agent gets its own address unless given one (null: send none). */
  ip?: string | null;
}

let agentCount = 0;
/** A distinct address (benchmarking range) per agent: agents never share a rate-limit budget. */
const nextIp = () => {
  agentCount += 1;
  return `198.18.${Math.floor(agentCount / 256) % 256}.${agentCount % 256}`;
};

export type Fetchable = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

export class Agent {
  readonly cookies: Map<string, string>;
  readonly trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
  private readonly target: Fetchable;
  private readonly options: AgentOptions;
  readonly ip: string | null;

  constructor(target: Fetchable, options: AgentOptions = {}, cookies = new Map<string, string>()) {
    this.target = target;
    this.options = options;
    this.cookies = cookies;
    this.ip = options.ip === undefined ? nextIp() : options.ip;
    this.trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: "http://localhost/api/trpc",
          transformer: superjson,
          fetch: async (input, init) => this.fetch(String(input), init as RequestInit),
        }),
      ],
    });
  }

  /** The same browser (shared cookie jar, same IP) sending another Origin, or talking to another app. */
  with(options: AgentOptions & { target?: Fetchable }) {
    const { target = this.target, ...rest } = options;
    return new Agent(target, { ...this.options, ip: this.ip, ...rest }, this.cookies);
  }

  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const path = input.replace(/^https?:\/\/[^/]+/, "");
    const headers = new Headers(init.headers);
    const origin = this.options.origin === undefined ? TEST_ORIGIN : this.options.origin;
    if (origin) headers.set("origin", origin);
    if (this.ip && !headers.has("x-forwarded-for")) headers.set("x-forwarded-for", this.ip);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await this.target.request(path, { ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = cookie.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** POSTs JSON to a better-auth endpoint under /api/auth. */
  authPost(path: string, body: unknown) {
    return this.fetch(`/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  authGet(path: string) {
    return this.fetch(`/api/auth${path}`);
  }
}

/** The newest email sent to an address, read from the outbox as a person would read their inbox. */
export async function latestEmail(db: TestApp["db"], to: string, template?: string) {
  const rows = await db
    .select()
    .from(schema.emailOutbox)
    .where(eq(schema.emailOutbox.toAddress, to))
    .orderBy(desc(schema.emailOutbox.createdAt));
  const email = rows.find((r) => !template || r.template === template);
  if (!email) throw new Error(`no ${template ?? ""} email to ${to}`);
  return email;
}

/** The token in the link of the newest email of that template to that address. */
export async function tokenFromEmail(db: TestApp["db"], to: string, template: string) {
  const email = await latestEmail(db, to, template);
  const url = email.textBody.match(/https?:\/\/\S+/)?.[0];
  const token = url ? new URL(url).searchParams.get("token") : null;
  if (!token) throw new Error(`no link with a token in ${template} email to ${to}`);
  return token;
}

export const TEST_PASSWORD = "correct-horse-battery";

/** Signs up through better-auth, follows the emailed verification link, and is signed in. */
export async function signUpVerified(
  t: TestApp,
  user: { name?: string; email: string; password?: string },
  agentOptions: AgentOptions = {},
) {
  const agent = t.agent(agentOptions);
  const password = user.password ?? TEST_PASSWORD;
  const signUp = await agent.authPost("/sign-up/email", {
    name: user.name ?? "Test User",
    email: user.email,
    password,
  });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const token = await tokenFromEmail(t.db, user.email, "verify-email");
  const verified = await agent.authGet(`/verify-email?token=${encodeURIComponent(token)}`);
  if (verified.status >= 400) throw new Error(`verification failed: ${verified.status}`);
  const me = await agent.trpc.account.me.query();
  if (!me) throw new Error("not signed in after verification");
  return { agent, user: me, password };
}

/** A signed-in user with the given role (promoted directly: it is the test's world, not the rule under test). */
export async function signedInAs(
  t: TestApp,
  role: "learner" | "teacher" | "admin",
  email = `${role}-${crypto.randomUUID().slice(0, 8)}@example.com`,
) {
  const { agent, user, password } = await signUpVerified(t, { name: `A ${role}`, email });
  if (role !== "learner") await t.db.update(schema.users).set({ role }).where(eq(schema.users.id, user.id));
  return { agent, user: { ...user, role }, password, email };
}

/** The statements sent through `pool.query` while `work` runs (drizzle's included), in order. */
export async function poolQueries(pool: pg.Pool, work: () => Promise<unknown>) {
  const sent: { name?: string; text: string; values: unknown[] }[] = [];
  const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
  (pool as unknown as { query: typeof query }).query = (config: unknown, values?: unknown) => {
    const c = (typeof config === "string" ? { text: config } : config) as pg.QueryConfig;
    sent.push({ name: c.name, text: c.text, values: (Array.isArray(values) ? values : c.values) ?? [] });
    return query(config, values);
  };
  try {
    await work();
  } finally {
    (pool as unknown as { query: typeof query }).query = query;
  }
  return sent;
}

/**
 * Resolves when `app`'s process has heard that this user's session or user row changed (committed).
 * Another process hears it a moment after the commit: a test standing in for that process waits for it.
 */
export function sessionChangeHeard(app: Pick<TestApp, "database">, userId: string) {
  return new Promise<void>((resolve) => {
    const stop = app.database.sessionChanges.subscribe({
      changing() {},
      changed(changed) {
        if (changed !== userId) return;
        stop();
        resolve();
      },
      reset() {},
    });
  });
}

/** The app code (AppError code) of a failed tRPC call, and its HTTP status. */
export async function trpcError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { appCode?: string; httpStatus?: number; issues?: ValidationIssue[] } | undefined;
      return { appCode: data?.appCode, status: data?.httpStatus, message: error.message, issues: data?.issues ?? [] };
    }
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/**
 * A tRPC call on the wire, as a browser would send it, keeping the whole response: for asserting
 * status codes and that a refused call carries no data.
 */
export async function rawTrpc(
  agent: Agent,
  type: "query" | "mutation",
  path: string,
  input?: unknown,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(superjson.serialize(input));
  const response =
    type === "query"
      ? await agent.fetch(`/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(payload)}`}`, {
          headers,
        })
      : await agent.fetch(`/api/trpc/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: input === undefined ? undefined : payload,
        });
  const text = await response.text();
  const body = JSON.parse(text) as {
    result?: { data: Parameters<typeof superjson.deserialize>[0] };
    error?: { json: { message: string; data?: { appCode?: string; httpStatus?: number } } };
  };
  return {
    status: response.status,
    text,
    appCode: body.error?.json.data?.appCode,
    data: body.result ? superjson.deserialize(body.result.data) : undefined,
    body,
  };
}

/** The API on a real port with its worker: for browser tests and benchmarks. */
export async function startTestServer(pg: TestPg, overrides: Record<string, string> = {}) {
  const port = Number(overrides.API_PORT ?? (await freePort()));
  const t = await createTestApp(pg, { API_PORT: String(port), API_URL: `http://127.0.0.1:${port}`, ...overrides });
  // Its own pool, as in main.ts.
  const workerDatabase = createDatabase(t.env.DATABASE_URL ?? "", poolOptions(t.env, { max: t.env.WORKER_POOL_MAX }));
  const worker = await startWorker({ env: t.env, database: workerDatabase, logger: t.logger });
  const server = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  return {
    ...t,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await workerDatabase.close();
      await t.close();
    },
  };
}
