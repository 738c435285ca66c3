import { schema } from "@lectern/db";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../router.ts";
import { rawTrpc, signedInAs } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adminLedgerProcedures } from "../ledger/router.ts";
import { adminCreditsProcedures, creditsProcedures } from "./credits.router.ts";
import { adminPayrollProcedures } from "./payroll.router.ts";
import { recordsProcedures } from "./records.router.ts";

const t = await useTestApp();

type ProcedureType = "query" | "mutation";
type Person = Awaited<ReturnType<typeof signedInAs>>;

/** The namespaces this matrix covers, read from the routers that define them. */
const prefixes = [
  ...Object.keys(recordsProcedures).map((key) => `tutoring.${key}.`),
  ...[adminCreditsProcedures, adminPayrollProcedures, adminLedgerProcedures].flatMap((procedures) =>
    Object.keys(procedures).map((key) => `admin.${key}.`),
  ),
  ...Object.keys(creditsProcedures).map((key) => `credits.${key}`),
];

/** Every procedure in those namespaces, read from the app router itself. */
const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, { _def: { type: ProcedureType } }> }).procedures,
)
  .filter(([path]) => prefixes.some((prefix) => path.startsWith(prefix)))
  .map(([path, procedure]) => ({ path, type: procedure._def.type }));

interface World {
  learner: Person;
  /** a teacher with no session with the learner */
  teacher: Person;
  admin: Person;
  /** another teacher, whose rate the admin sets */
  rated: Person;
  packId: string;
  assessmentId: string;
}

/** What a caller gets: "ok", or the error code of a refusal. */
type Outcome = "ok" | "FORBIDDEN" | "ADMIN_ONLY" | "LEARNER_NOT_FOUND" | "ASSESSMENT_NOT_FOUND";

interface Case {
  input?: (w: World) => unknown;
  learner: Outcome;
  teacher: Outcome;
  /** What the admin gets back (admins get an answer from every procedure but the learner-only ones). */
  admin: Outcome | ((data: unknown, w: World) => void);
}

const adminOnly = (check: (data: unknown, w: World) => void, input?: (w: World) => unknown): Case => ({
  input,
  learner: "ADMIN_ONLY",
  teacher: "ADMIN_ONLY",
  admin: check,
});
const anyone = (check: (data: unknown, w: World) => void, input?: (w: World) => unknown): Case => ({
  input,
  learner: "ok",
  teacher: "ok",
  admin: check,
});
const page = { items: expect.any(Array), total: expect.any(Number), page: 1 };
const onboarding = {
  timezone: "Asia/Dubai",
  level: "A2",
  skillPriorities: { speaking: 1, listening: 2, reading: 3, writing: 4, grammar: 5, vocabulary: 1 },
  preferredFormat: "conversation",
};

/** A new procedure without a case here fails the "has a case" test below. */
const cases: Record<string, Case> = {
  "tutoring.onboarding.get": anyone((data) => expect(data).toBeNull()),
  "tutoring.onboarding.save": { input: () => onboarding, learner: "ok", teacher: "FORBIDDEN", admin: "FORBIDDEN" },
  "tutoring.onboarding.forLearner": {
    input: (w) => ({ learnerId: w.learner.user.id }),
    learner: "ok",
    teacher: "LEARNER_NOT_FOUND",
    admin: (data) => expect(data).toMatchObject({ timezone: "Asia/Dubai" }),
  },
  "tutoring.onboarding.markReviewed": {
    input: (w) => ({ learnerId: w.learner.user.id }),
    learner: "FORBIDDEN",
    teacher: "LEARNER_NOT_FOUND",
    admin: (data, w) => expect(data).toMatchObject({ reviewedBy: { id: w.admin.user.id } }),
  },
  "tutoring.assessment.submit": {
    input: () => ({ text: "A few words." }),
    learner: "ok",
    teacher: "FORBIDDEN",
    admin: "FORBIDDEN",
  },
  "tutoring.assessment.mine": anyone((data) => expect(data).toEqual([])),
  "tutoring.assessment.get": {
    input: (w) => ({ assessmentId: w.assessmentId }),
    learner: "ok",
    teacher: "ASSESSMENT_NOT_FOUND",
    admin: (data, w) => expect(data).toMatchObject({ id: w.assessmentId }),
  },
  "tutoring.assessment.review": {
    input: (w) => ({ assessmentId: w.assessmentId, cefrLevel: "B1", comments: "Fine." }),
    learner: "FORBIDDEN",
    teacher: "ASSESSMENT_NOT_FOUND",
    admin: (data) => expect(data).toMatchObject({ status: "reviewed", cefrLevel: "B1" }),
  },
  "tutoring.reviews.assessments": {
    input: () => ({}),
    learner: "FORBIDDEN",
    teacher: "ok",
    admin: (data) => expect(data).toMatchObject({ ...page, total: 1 }),
  },
  "tutoring.reviews.onboarding": {
    input: () => ({}),
    learner: "FORBIDDEN",
    teacher: "ok",
    admin: (data) => expect(data).toMatchObject({ ...page, total: 1 }),
  },
  "credits.balance": anyone((data) => expect(data).toEqual({ currency: "CREDIT", totalAvailable: 0, lots: [] })),
  "credits.history": anyone(
    (data) => expect(data).toMatchObject({ ...page, total: 0 }),
    () => ({}),
  ),
  "credits.packs": anyone((data, w) => expect(data).toContainEqual(expect.objectContaining({ id: w.packId }))),
  "admin.packs.list": adminOnly((data, w) => expect(data).toMatchObject([{ id: w.packId, lotsGranted: 0 }])),
  "admin.packs.create": adminOnly(
    (data) => expect(data).toMatchObject({ name: "Matrix pack", active: true }),
    () => ({ name: "Matrix pack", sessions: 4 }),
  ),
  "admin.packs.update": adminOnly(
    (data) => expect(data).toMatchObject({ name: "Renamed" }),
    (w) => ({ packId: w.packId, name: "Renamed", sessions: 4 }),
  ),
  "admin.packs.setActive": adminOnly(
    (data) => expect(data).toMatchObject({ active: true }),
    (w) => ({ packId: w.packId, active: true }),
  ),
  "admin.credits.grant": adminOnly(
    (data) => expect(data).toMatchObject({ sessions: 4, remaining: 4 }),
    (w) => ({ learnerId: w.learner.user.id, packId: w.packId }),
  ),
  "admin.credits.forLearner": adminOnly(
    (data, w) =>
      expect(data).toMatchObject({ learner: { id: w.learner.user.id }, balance: { lots: [expect.any(Object)] } }),
    (w) => ({ learnerId: w.learner.user.id }),
  ),
  "admin.teachers.list": adminOnly(
    (data) => expect(data).toMatchObject({ ...page, total: 2 }),
    () => ({}),
  ),
  "admin.teachers.setRate": adminOnly(
    (data) => expect(data).toMatchObject({ hourlyRateMinor: 4000, rateCurrency: "EUR" }),
    (w) => ({ teacherId: w.rated.user.id, hourlyRateMinor: 4000, rateCurrency: "EUR" }),
  ),
  "admin.payroll.report": adminOnly(
    (data) => expect(data).toMatchObject({ rows: [], totals: [] }),
    () => ({ from: new Date(Date.UTC(2030, 0, 1)), to: new Date(Date.UTC(2030, 1, 1)) }),
  ),
  "admin.payroll.csv": adminOnly(
    (data) => expect(data).toMatchObject({ filename: "lectern-payroll-2030-01-01-to-2030-02-01.csv" }),
    () => ({ from: new Date(Date.UTC(2030, 0, 1)), to: new Date(Date.UTC(2030, 1, 1)) }),
  ),
  "admin.ledger.health": adminOnly((data) => expect(data).toMatchObject({ lastCheck: null })),
};

let world: World;

beforeAll(async () => {
  const [learner, teacher, admin, rated] = await Promise.all([
    signedInAs(t, "learner"),
    signedInAs(t, "teacher"),
    signedInAs(t, "admin"),
    signedInAs(t, "teacher"),
  ]);
  const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Matrix", sessions: 4 });
  world = { learner, teacher, admin, rated, packId: pack.id, assessmentId: "" };
});

/** Everything a refused call could have changed. */
const snapshot = async () => ({
  audit: (await t.db.select().from(schema.auditLog)).length,
  packs: await t.db.select().from(schema.creditPacks).orderBy(schema.creditPacks.id),
  lots: (await t.db.select().from(schema.creditLots)).length,
  entries: (await t.db.select().from(schema.ledgerEntries)).length,
  onboarding: await t.db.select().from(schema.onboardingAnswers),
  assessments: await t.db.select().from(schema.writingAssessments).orderBy(schema.writingAssessments.id),
  profiles: await t.db.select().from(schema.teacherProfiles),
  users: await t.db.select().from(schema.users).orderBy(schema.users.id),
});

describe("records, credits and payroll procedures", () => {
  it("all have a case in this matrix", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(23);
    expect(Object.keys(cases).sort()).toEqual(procedures.map((p) => p.path).sort());
  });

  it.each(procedures)("$path refuses anonymous callers with 401 and no data", async ({ path, type }) => {
    const before = await snapshot();
    const response = await rawTrpc(t.agent(), type, path, cases[path]?.input?.(world));
    expect(response.status).toBe(401);
    expect(response.appCode).toBe("UNAUTHENTICATED");
    expect(response.body.result).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });

  // The learner goes first: their onboarding answers and assessment are the world the others read.
  describe.each(["learner", "teacher"] as const)("called by a %s", (who) => {
    it.each(procedures)(`$path`, async ({ path, type }) => {
      const c = cases[path];
      if (!c) throw new Error(`no case for ${path}`);
      const before = await snapshot();
      const response = await rawTrpc(world[who].agent, type, path, c.input?.(world));
      const expected = c[who];
      if (expected === "ok") {
        expect(response.status, response.text).toBe(200);
        if (path === "tutoring.assessment.submit") world.assessmentId = (response.data as { id: string }).id;
        return;
      }
      expect(response.appCode).toBe(expected);
      expect(response.status).toBe(expected.endsWith("NOT_FOUND") ? 404 : 403);
      expect(response.body.result).toBeUndefined();
      expect(response.text).not.toContain(world.learner.email);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe("called by an admin", () => {
    it.each(procedures)("$path", async ({ path, type }) => {
      const c = cases[path];
      if (!c) throw new Error(`no case for ${path}`);
      const response = await rawTrpc(world.admin.agent, type, path, c.input?.(world));
      if (typeof c.admin === "function") {
        expect(response.status, response.text).toBe(200);
        c.admin(response.data, world);
      } else {
        expect(response.appCode).toBe(c.admin);
      }
    });
  });
});
