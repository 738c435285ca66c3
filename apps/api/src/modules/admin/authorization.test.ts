import { schema } from "@lectern/db";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../router.ts";
import { type Agent, rawTrpc, signedInAs, signUpVerified } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adminLedgerProcedures } from "../ledger/router.ts";
import { providerEventHandlers, recordEvent } from "../payments/inbox.ts";
import { adminCreditsProcedures } from "../tutoring/credits.router.ts";
import { adminPayrollProcedures } from "../tutoring/payroll.router.ts";

const t = await useTestApp();

type ProcedureType = "query" | "mutation";

/** Namespaces whose matrix lives beside their service (tutoring/access.test.ts, tutoring/authorization.test.ts). */
const matrixElsewhere = [
  ...[adminCreditsProcedures, adminPayrollProcedures, adminLedgerProcedures].flatMap((procedures) =>
    Object.keys(procedures).map((key) => `admin.${key}.`),
  ),
  "admin.sessions.",
  // wallet/wallet.test.ts
  "admin.wallets.",
  // payments/refunds.test.ts
  "admin.orders.",
  // wallet/withdrawals.test.ts
  "admin.withdrawals.",
];

/** Every admin.* procedure, read from the router itself. */
const adminProcedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, { _def: { type: ProcedureType } }> }).procedures,
)
  .filter(([path]) => path.startsWith("admin.") && !matrixElsewhere.some((prefix) => path.startsWith(prefix)))
  .map(([path, procedure]) => ({ path, type: procedure._def.type }));

interface World {
  admin: Awaited<ReturnType<typeof signedInAs>>;
  target: Awaited<ReturnType<typeof signUpVerified>>;
}

interface Case {
  input?: (w: World) => unknown;
  /** The admin's browser for the call; by default the world's admin. */
  adminAgent?: (w: World) => Promise<Agent>;
  /** What the admin gets back. */
  expectAdminResult: (data: unknown, w: World) => void;
  /** The code non-admins get; ADMIN_ONLY unless said otherwise. */
  refusedWith?: string;
}

/** A new admin procedure without a case here fails the "has a case" test below. */
const cases: Record<string, Case> = {
  "admin.users.search": {
    input: () => ({ query: "matrix-target" }),
    expectAdminResult: (data) => expect(data).toMatchObject({ total: 1 }),
  },
  "admin.users.get": {
    input: (w) => ({ userId: w.target.user.id }),
    expectAdminResult: (data, w) => expect(data).toMatchObject({ id: w.target.user.id }),
  },
  "admin.users.setRole": {
    input: (w) => ({ userId: w.target.user.id, role: "teacher" }),
    expectAdminResult: (data) => expect(data).toMatchObject({ role: "teacher" }),
  },
  "admin.users.disable": {
    input: (w) => ({ userId: w.target.user.id, reason: "matrix" }),
    expectAdminResult: (data) => expect(data).toMatchObject({ banned: true }),
  },
  "admin.users.enable": {
    input: (w) => ({ userId: w.target.user.id }),
    expectAdminResult: (data) => expect(data).toMatchObject({ banned: false }),
  },
  "admin.users.sendPasswordReset": {
    input: (w) => ({ userId: w.target.user.id }),
    expectAdminResult: (data) => expect(data).toEqual({ sent: true }),
  },
  "admin.users.impersonate": {
    input: (w) => ({ userId: w.target.user.id }),
    // Impersonating swaps the caller's session: use a browser of its own.
    adminAgent: async () => (await signedInAs(t, "admin")).agent,
    expectAdminResult: (data, w) => expect(data).toMatchObject({ userId: w.target.user.id }),
  },
  "admin.users.stopImpersonating": {
    // Only an impersonating session may stop; for everyone else it is NOT_IMPERSONATING.
    refusedWith: "NOT_IMPERSONATING",
    adminAgent: async (w) => {
      const other = await signedInAs(t, "admin");
      await other.agent.trpc.admin.users.impersonate.mutate({ userId: w.target.user.id });
      return other.agent;
    },
    expectAdminResult: (data) => expect(data).toMatchObject({ adminId: expect.any(String) }),
  },
  "admin.audit.list": {
    input: () => ({}),
    expectAdminResult: (data) => expect(data).toMatchObject({ items: expect.any(Array), page: 1 }),
  },
  "admin.outbox.list": {
    input: () => ({}),
    expectAdminResult: (data) => expect(data).toMatchObject({ items: expect.any(Array), total: expect.any(Number) }),
  },
  "admin.inbox.list": {
    input: () => ({ status: "received" }),
    expectAdminResult: (data) => expect(data).toMatchObject({ items: [{ provider: "matrix" }], total: 1 }),
  },
  "admin.inbox.replay": {
    input: () => ({ id: matrixEventId }),
    expectAdminResult: (data) => expect(data).toEqual({ outcome: "processed", error: null }),
  },
};

let world: World;
let learner: Agent;
let teacher: Agent;
/** A received provider event whose type has a (no-op) handler, for the inbox replay. */
let matrixEventId: string;

beforeAll(async () => {
  world = {
    admin: await signedInAs(t, "admin", "matrix-admin@example.com"),
    target: await signUpVerified(t, { name: "Matrix Target", email: "matrix-target@example.com" }),
  };
  learner = (await signedInAs(t, "learner")).agent;
  teacher = (await signedInAs(t, "teacher")).agent;
  providerEventHandlers.matrix = { "matrix.noop": async () => {} };
  matrixEventId = (await recordEvent(t.db, "matrix", { id: "evt_matrix", type: "matrix.noop", payload: {} })).id;
});

/** Everything a refused call could have changed. */
const snapshot = async () => ({
  users: await t.db.select().from(schema.users).orderBy(schema.users.id),
  sessions: (await t.db.select().from(schema.authSessions)).length,
  audit: (await t.db.select().from(schema.auditLog)).length,
  outbox: (await t.db.select().from(schema.emailOutbox)).length,
  providerEvents: await t.db.select().from(schema.providerEvents).orderBy(schema.providerEvents.id),
});

describe("admin procedures", () => {
  it("all have a case in this matrix", () => {
    expect(adminProcedures.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(cases).sort()).toEqual(adminProcedures.map((p) => p.path).sort());
  });

  describe.each([
    { who: "anonymous", status: 401, agent: () => t.agent() },
    { who: "a learner", status: 403, agent: () => learner },
    { who: "a teacher", status: 403, agent: () => teacher },
  ])("called by $who", ({ who, status, agent }) => {
    it.each(adminProcedures)("$path is refused with no data and no change", async ({ path, type }) => {
      const c = cases[path];
      if (!c) throw new Error(`no case for ${path}`);
      const before = await snapshot();
      const response = await rawTrpc(agent(), type, path, c.input?.(world));
      expect(response.status).toBe(status);
      expect(response.appCode).toBe(who === "anonymous" ? "UNAUTHENTICATED" : (c.refusedWith ?? "ADMIN_ONLY"));
      expect(response.body.result).toBeUndefined();
      expect(response.text).not.toContain(world.target.user.email);
      expect(response.text).not.toContain(world.admin.email);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("called by an admin", () => {
    it.each(adminProcedures)("$path works", async ({ path, type }) => {
      const c = cases[path];
      if (!c) throw new Error(`no case for ${path}`);
      const agent = c.adminAgent ? await c.adminAgent(world) : world.admin.agent;
      const response = await rawTrpc(agent, type, path, c.input?.(world));
      expect(response.status, response.text).toBe(200);
      c.expectAdminResult(response.data, world);
    });
  });
});
