import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq, inArray, or, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../router.ts";
import { type Agent, rawTrpc } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { router } from "../../trpc.ts";
import { adminSessionsProcedures, sessionsProcedures } from "./sessions.router.ts";
import { ALWAYS, grantCredits, type Person, person } from "./testing.ts";

const t = await useTestApp();

type ProcedureType = "query" | "mutation";
type Procedures = Record<string, { _def: { type: ProcedureType } }>;

/** Every procedure of this module, read from its routers as they are mounted. */
const mounted = router({
  tutoring: router(sessionsProcedures),
  admin: router({ sessions: router(adminSessionsProcedures) }),
});
const procedures = Object.entries((mounted._def as unknown as { procedures: Procedures }).procedures).map(
  ([path, p]) => ({ path, type: p._def.type }),
);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;

interface World {
  learner: Person;
  teacher: Person;
  admin: Person;
  otherLearner: Person;
  otherTeacher: Person;
}

let slot = 0;
/** A free grid slot a few days ahead, different on every call. */
const futureSlot = () => {
  slot += 1;
  return new Date(Math.ceil((Date.now() + 3 * 24 * HOUR) / STEP) * STEP + slot * 2 * HOUR);
};
/** A grid slot in the past, different on every call. */
const pastSlot = () => {
  slot += 1;
  return new Date(Math.floor((Date.now() - slot * 3 * HOUR) / STEP) * STEP);
};

/** A session of the world's learner and teacher, written directly (the world, not the rule under test). */
async function session(w: World, kind: "booked" | "started" | "completed") {
  const startsAt = kind === "booked" ? futureSlot() : pastSlot();
  const [row] = await t.db
    .insert(schema.tutoringSessions)
    .values({
      teacherId: w.teacher.user.id,
      learnerId: w.learner.user.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 60 * MINUTE),
      durationMinutes: 60,
      hourlyRateMinor: 0,
      rateCurrency: "USD",
      creditOutcome: "none",
      status: kind === "completed" ? "completed" : "booked",
      completedAt: kind === "completed" ? new Date() : null,
      createdBy: w.admin.user.id,
    })
    .returning();
  if (!row) throw new Error("no session");
  return row;
}

let recent = 0;
/** A one-minute session that started a little while ago (no-show window open), different on every call. */
async function recentSession(w: World, dispute: { reportedAt?: Date } = {}) {
  recent += 1;
  const startsAt = new Date(Date.now() - 30 * MINUTE - recent * 2 * MINUTE);
  const [row] = await t.db
    .insert(schema.tutoringSessions)
    .values({
      teacherId: w.teacher.user.id,
      learnerId: w.learner.user.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + MINUTE),
      durationMinutes: 1,
      hourlyRateMinor: 0,
      rateCurrency: "USD",
      creditOutcome: "none",
      teacherAbsentReportedAt: dispute.reportedAt ?? null,
      createdBy: w.admin.user.id,
    })
    .returning();
  if (!row) throw new Error("no session");
  return row;
}

let dateCounter = 0;
const futureDate = () => {
  dateCounter += 1;
  return new Date(Date.now() + (10 + dateCounter) * 24 * HOUR).toISOString().slice(0, 10);
};

type Caller = "otherLearner" | "otherTeacher" | "admin";
// biome-ignore lint/suspicious/noExplicitAny: each case checks its own result's shape
type Data = any;

interface Case {
  /** who this procedure is for, and succeeds */
  owner: "learner" | "teacher" | "admin";
  input?: (w: World) => unknown;
  /** What the others get: 200 means they act on their own data only (nothing of the owner's shows). */
  others: Record<Caller, 200 | 403 | 404 | 409>;
  expectOwnerResult: (data: Data, w: World) => void;
  /** Public directory data: shown to every signed-in user by design. */
  publicData?: boolean;
}

const asLearnerOnly = { otherLearner: 404, otherTeacher: 404, admin: 403 } as const;
const asTeacherOnly = { otherLearner: 404, otherTeacher: 404, admin: 403 } as const;
const ownData = { otherLearner: 200, otherTeacher: 200, admin: 200 } as const;
const teacherOwnData = { otherLearner: 403, otherTeacher: 200, admin: 200 } as const;
const adminOnly = { otherLearner: 403, otherTeacher: 403, admin: 200 } as const;

/** A new procedure without a case here fails the "has a case" test below. */
const cases: Record<string, Case> = {
  "tutoring.teachers.list": {
    owner: "learner",
    input: (w) => ({ query: w.teacher.user.name }),
    others: ownData,
    publicData: true,
    expectOwnerResult: (d, w) => expect(d.items.map((i: Data) => i.id)).toEqual([w.teacher.user.id]),
  },
  "tutoring.teachers.get": {
    owner: "learner",
    input: (w) => ({ teacherId: w.teacher.user.id }),
    others: ownData,
    publicData: true,
    expectOwnerResult: (d, w) => expect(d).toMatchObject({ id: w.teacher.user.id }),
  },
  "tutoring.teachers.slots": {
    owner: "learner",
    input: (w) => ({ teacherId: w.teacher.user.id, from: new Date(), to: new Date(Date.now() + 24 * HOUR) }),
    others: ownData,
    publicData: true,
    expectOwnerResult: (d) => expect(d.slots.length).toBeGreaterThan(0),
  },
  "tutoring.availability.get": {
    owner: "teacher",
    others: teacherOwnData,
    expectOwnerResult: (d) => expect(d.rules).toHaveLength(7),
  },
  "tutoring.availability.setWeekly": {
    owner: "teacher",
    input: () => ({ rules: ALWAYS }),
    others: teacherOwnData,
    expectOwnerResult: (d) => expect(d.rules).toHaveLength(7),
  },
  "tutoring.availability.addOverride": {
    owner: "teacher",
    input: () => ({ date: futureDate(), kind: "off" }),
    others: teacherOwnData,
    expectOwnerResult: (d) => expect(d).toMatchObject({ kind: "off", startMinute: 0, endMinute: 1440 }),
  },
  "tutoring.availability.removeOverride": {
    owner: "teacher",
    input: async (w) => {
      const [o] = await t.db
        .insert(schema.availabilityOverrides)
        .values({ teacherId: w.teacher.user.id, date: futureDate(), kind: "extra", startMinute: 0, endMinute: 60 })
        .returning();
      return { overrideId: o?.id };
    },
    others: { otherLearner: 403, otherTeacher: 404, admin: 404 },
    expectOwnerResult: (d) => expect(d).toEqual({ removed: true }),
  },
  "tutoring.profile.get": {
    owner: "teacher",
    others: teacherOwnData,
    expectOwnerResult: (d, w) => expect(d).toMatchObject({ userId: w.teacher.user.id, bio: "Matrix bio" }),
  },
  "tutoring.profile.update": {
    owner: "teacher",
    input: () => ({ bio: "Matrix bio", subjects: ["Matrix"], languages: [], defaultMeetingUrl: null }),
    others: teacherOwnData,
    expectOwnerResult: (d) => expect(d).toMatchObject({ bio: "Matrix bio" }),
  },
  "tutoring.sessions.book": {
    owner: "learner",
    input: (w) => ({ teacherId: w.teacher.user.id, startsAt: futureSlot() }),
    // Any learner may book (this one has no credits); teachers and admins may not.
    others: { otherLearner: 409, otherTeacher: 403, admin: 403 },
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "booked", creditOutcome: "reserved" }),
  },
  "tutoring.sessions.upcoming": {
    owner: "learner",
    input: () => ({}),
    others: ownData,
    expectOwnerResult: (d) => expect(d.total).toBeGreaterThan(0),
  },
  "tutoring.sessions.past": {
    owner: "learner",
    input: () => ({}),
    others: ownData,
    expectOwnerResult: (d) => expect(d.total).toBeGreaterThan(0),
  },
  "tutoring.sessions.cancelled": {
    owner: "learner",
    input: () => ({}),
    others: ownData,
    expectOwnerResult: (d) => expect(d.items.every((s: Data) => s.status === "cancelled")).toBe(true),
  },
  "tutoring.sessions.get": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id }),
    // Admins see every session.
    others: { otherLearner: 404, otherTeacher: 404, admin: 200 },
    expectOwnerResult: (d, w) => expect(d).toMatchObject({ learner: { id: w.learner.user.id }, viewerRole: "learner" }),
  },
  "tutoring.sessions.changePreview": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id }),
    others: { otherLearner: 404, otherTeacher: 404, admin: 200 },
    expectOwnerResult: (d) => expect(d).toMatchObject({ creditOutcome: "none", canReschedule: true }),
  },
  "tutoring.sessions.reschedule": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id, startsAt: futureSlot() }),
    others: asLearnerOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "booked" }),
  },
  "tutoring.sessions.cancel": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id }),
    others: asLearnerOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "cancelled", cancelledBy: "learner" }),
  },
  "tutoring.sessions.report": {
    owner: "teacher",
    input: async (w) => ({ sessionId: (await session(w, "started")).id, message: "Well done" }),
    others: asTeacherOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "completed", report: { message: "Well done" } }),
  },
  "tutoring.sessions.rate": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await session(w, "completed")).id, rating: 5 }),
    others: asLearnerOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ rating: 5 }),
  },
  "tutoring.sessions.setMeetingUrl": {
    owner: "teacher",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id, meetingUrl: "https://meet.example.com/m" }),
    others: asTeacherOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ meetingUrl: "https://meet.example.com/m" }),
  },
  "tutoring.sessions.markLearnerAbsent": {
    owner: "teacher",
    input: async (w) => ({ sessionId: (await session(w, "started")).id }),
    others: asTeacherOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "completed", learnerAbsentAt: expect.any(Date) }),
  },
  "tutoring.sessions.reportTeacherAbsent": {
    owner: "learner",
    input: async (w) => ({ sessionId: (await recentSession(w)).id, note: "Nobody there" }),
    others: asLearnerOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "booked", dispute: { open: true } }),
  },
  "tutoring.sessions.cost": {
    owner: "learner",
    input: () => ({ durationMinutes: 90 }),
    // Each learner sees the price in their own credits.
    others: { otherLearner: 200, otherTeacher: 403, admin: 403 },
    expectOwnerResult: (d) => expect(d).toMatchObject({ durationMinutes: 90, credits: 2, canAfford: true }),
  },
  "tutoring.progress": {
    owner: "learner",
    others: { otherLearner: 200, otherTeacher: 403, admin: 403 },
    expectOwnerResult: (d) => expect(d.months).toHaveLength(12),
  },
  "tutoring.earnings": {
    owner: "teacher",
    input: () => ({}),
    others: teacherOwnData,
    expectOwnerResult: (d) => expect(d).toMatchObject({ totals: expect.any(Array), items: expect.any(Array) }),
  },
  "tutoring.calendar.get": {
    owner: "learner",
    others: ownData,
    // The feed's URL is shown once, by rotate; get only says since when it exists.
    expectOwnerResult: (d) => expect(d).toEqual({ createdAt: expect.any(Date) }),
  },
  "tutoring.calendar.rotate": {
    owner: "learner",
    others: ownData,
    expectOwnerResult: (d) => expect(d.url).toMatch(/\/calendar\/.+\.ics$/),
  },
  "admin.sessions.cost": {
    owner: "admin",
    input: (w) => ({ learnerId: w.learner.user.id, durationMinutes: 120 }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ credits: 2, canAfford: true }),
  },
  "admin.sessions.list": {
    owner: "admin",
    input: (w) => ({ learnerId: w.learner.user.id }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d.total).toBeGreaterThan(0),
  },
  "admin.sessions.get": {
    owner: "admin",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id }),
    others: adminOnly,
    expectOwnerResult: (d, w) => expect(d).toMatchObject({ learner: { email: w.learner.email }, ledger: [] }),
  },
  "admin.sessions.create": {
    owner: "admin",
    input: (w) => ({
      learnerId: w.learner.user.id,
      teacherId: w.teacher.user.id,
      startsAt: futureSlot(),
      overrideCredit: true,
      reason: "matrix",
    }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "booked", creditOutcome: "none" }),
  },
  "admin.sessions.update": {
    owner: "admin",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id, notes: "matrix note" }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ notes: "matrix note" }),
  },
  "admin.sessions.cancel": {
    owner: "admin",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id, reason: "matrix" }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "cancelled", cancelledBy: "admin" }),
  },
  "admin.sessions.reverse": {
    owner: "admin",
    input: async (w) => ({ sessionId: (await session(w, "completed")).id, reason: "matrix" }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toMatchObject({ status: "cancelled", reversal: { reason: "matrix" } }),
  },
  "admin.sessions.disputes": {
    owner: "admin",
    input: async (w) => {
      await recentSession(w, { reportedAt: new Date() });
      return {};
    },
    others: adminOnly,
    expectOwnerResult: (d, w) =>
      expect(d.items).toContainEqual(
        expect.objectContaining({ learner: expect.objectContaining({ email: w.learner.email }) }),
      ),
  },
  "admin.sessions.resolveDispute": {
    owner: "admin",
    input: async (w) => ({
      sessionId: (await recentSession(w, { reportedAt: new Date() })).id,
      resolution: "complete",
      note: "matrix",
    }),
    others: adminOnly,
    expectOwnerResult: (d) =>
      expect(d).toMatchObject({ status: "completed", dispute: { open: false, resolution: "complete" } }),
  },
  "admin.sessions.delete": {
    owner: "admin",
    input: async (w) => ({ sessionId: (await session(w, "booked")).id }),
    others: adminOnly,
    expectOwnerResult: (d) => expect(d).toEqual({ deleted: true }),
  },
};

let world: World;

beforeAll(async () => {
  world = {
    learner: await person(t, "learner", { name: "Matrix Lena", email: "matrix-lena@example.com" }),
    teacher: await person(t, "teacher", { name: "Matrix Tomasz", email: "matrix-tomasz@example.com" }),
    admin: await person(t, "admin"),
    otherLearner: await person(t, "learner"),
    otherTeacher: await person(t, "teacher"),
  };
  await world.teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  await world.teacher.agent.trpc.tutoring.profile.update.mutate({
    bio: "Matrix bio",
    subjects: [],
    languages: [],
    defaultMeetingUrl: null,
  });
  await grantCredits(t, world.learner.user.id, 10);
  await session(world, "completed");
  await world.learner.agent.trpc.tutoring.calendar.rotate.mutate();
});

/** Everything of the world's learner and teacher a refused call could have changed, and global traces. */
async function snapshot(w: World) {
  const ids = [w.learner.user.id, w.teacher.user.id];
  const S = schema.tutoringSessions;
  const { rows } = await t.db.execute<Record<string, number>>(sql`select
    (select count(*)::int from ledger_entries) as entries,
    (select count(*)::int from audit_log) as audit,
    (select count(*)::int from email_outbox) as emails,
    (select count(*)::int from graphile_worker._private_jobs) as jobs`);
  return {
    counts: rows[0],
    sessions: await t.db
      .select()
      .from(S)
      .where(or(inArray(S.learnerId, ids), inArray(S.teacherId, ids)))
      .orderBy(S.id),
    rules: await t.db
      .select()
      .from(schema.availabilityRules)
      .where(eq(schema.availabilityRules.teacherId, w.teacher.user.id))
      .orderBy(schema.availabilityRules.id),
    overrides: await t.db
      .select()
      .from(schema.availabilityOverrides)
      .where(eq(schema.availabilityOverrides.teacherId, w.teacher.user.id))
      .orderBy(schema.availabilityOverrides.id),
    profile: await t.db
      .select()
      .from(schema.teacherProfiles)
      .where(eq(schema.teacherProfiles.userId, w.teacher.user.id)),
    feeds: await t.db.select().from(schema.calendarFeeds).where(inArray(schema.calendarFeeds.userId, ids)),
  };
}

const REFUSED_CODES: Record<number, string[]> = {
  401: ["UNAUTHENTICATED"],
  403: ["FORBIDDEN", "ADMIN_ONLY"],
  404: ["SESSION_NOT_FOUND", "NOT_FOUND"],
  409: ["NO_CREDITS"],
};

describe("tutoring procedures", () => {
  it("all have a case in this matrix, and are mounted in the app", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(29);
    expect(Object.keys(cases).sort()).toEqual(procedures.map((p) => p.path).sort());
    const app = (appRouter._def as unknown as { procedures: Procedures }).procedures;
    for (const { path } of procedures) expect(app[path], path).toBeDefined();
  });

  it.each(procedures)("$path: anonymous callers get 401 and no data", async ({ path, type }) => {
    const c = cases[path] as Case;
    const input = await c.input?.(world);
    const before = await snapshot(world);
    const response = await rawTrpc(t.agent(), type, path, input);
    expect(response.status).toBe(401);
    expect(response.appCode).toBe("UNAUTHENTICATED");
    expect(response.body.result).toBeUndefined();
    expect(await snapshot(world)).toEqual(before);
  });

  describe.each([
    { caller: "otherLearner" as const, who: "another learner" },
    { caller: "otherTeacher" as const, who: "another teacher" },
    { caller: "admin" as const, who: "an admin" },
  ])("called by $who", ({ caller }) => {
    it.each(procedures.filter((p) => (cases[p.path] as Case).owner !== caller))(
      "$path: refused, or only their own data; nothing of the owner's changes or leaks",
      async ({ path, type }) => {
        const c = cases[path] as Case;
        const input = await c.input?.(world);
        const before = await snapshot(world);
        const agent: Agent = world[caller].agent;
        const response = await rawTrpc(agent, type, path, input);
        const expected = c.others[caller];
        expect(response.status, response.text).toBe(expected);
        if (expected !== 200) {
          expect(REFUSED_CODES[expected]).toContain(response.appCode);
          expect(response.body.result).toBeUndefined();
        }
        // Admins see every session by design; the directory is public.
        const mayShowOwner =
          c.publicData || (caller === "admin" && expected === 200 && path.startsWith("tutoring.sessions."));
        if (!mayShowOwner) {
          expect(response.text).not.toContain(world.learner.email);
          expect(response.text).not.toContain(world.learner.user.name);
          expect(response.text).not.toContain(world.teacher.user.name);
        }
        expect(await snapshot(world)).toEqual(before);
      },
    );
  });

  it.each(procedures)("$path works for its owner", async ({ path, type }) => {
    const c = cases[path] as Case;
    const input = await c.input?.(world);
    const response = await rawTrpc(world[c.owner].agent, type, path, input);
    expect(response.status, response.text).toBe(200);
    c.expectOwnerResult(response.data, world);
  });
});
