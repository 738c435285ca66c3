import { AsyncLocalStorage } from "node:async_hooks";
import { TUTORING_POLICY } from "@lectern/api-contract";
import { createDatabase, type Db, poolOptions, schema } from "@lectern/db";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { AppError, fromDatabaseError } from "../../errors.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adminCancelSession } from "./admin-sessions.ts";
import { createPack, expireCreditLots, grantPack, openCreditLot } from "./credits.ts";
import { adminResolveDispute, adminReverseSession, markLearnerAbsent, reportTeacherAbsent } from "./disputes.ts";
import { earningsMinor, payableMinutes } from "./policy.ts";
import {
  type Actor,
  autoCompleteSessions,
  bookSession,
  cancelSession,
  reportSession,
  rescheduleSession,
} from "./sessions.ts";
import { ALWAYS, ledgerInvariants, setTeacherRate } from "./testing.ts";

/**
 * Concurrent use of the booking and ledger rules. Each run builds a small world (teachers, learners
 * with credit lots of different lengths, sessions in the past, running and ahead), then starts a
 * batch of operations at once. Every SQL statement those operations send waits for fast-check's
 * scheduler, so fast-check chooses the order in which statements of different transactions reach
 * Postgres (row locks and constraints then do the rest). Refusals (4xx AppErrors) are allowed
 * outcomes, except CONFLICT (a deadlock: see `refusal`); anything else fails the run, and so does
 * any broken invariant once everything has settled. On failure fast-check prints the seed, the
 * path and the executed schedule (one line per released statement, labelled with its operation).
 */

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
const RUNS = 20;

// ---------------------------------------------------------------------------------------------
// Statements through the scheduler

/** The operation a statement belongs to (for the schedule's labels). */
const operation = new AsyncLocalStorage<string>();
/** The scheduler of the run in progress; null: statements go straight through (setup, checks). */
let scheduler: fc.Scheduler | null = null;
/** Statements released by the scheduler and not yet answered, with the backend that runs them. */
const released = new Set<{ pid: number }>();

type Query = (...args: unknown[]) => unknown;

/**
 * Outside the property: one operation's statement matching `before` waits for `release` (then
 * `paused` is set), and `backends` says which backend runs each operation's statements.
 */
let pause: { op: string; before: RegExp; release: Promise<void>; paused: boolean } | null = null;
const backends = new Map<string, number>();

/** Makes every query of a pooled client wait for the scheduler while a run is in progress. */
function gate(client: pg.PoolClient) {
  const original = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const s = scheduler;
    const first = args[0] as string | { text?: string; submit?: unknown };
    if (typeof first === "object" && first?.submit) return original(...args);
    const fullText = typeof first === "string" ? first : (first?.text ?? "");
    const op = operation.getStore() ?? "?";
    backends.set(op, (client as unknown as { processID: number }).processID);
    if (!s && pause?.op === op && pause.before.test(fullText)) {
      const p = pause;
      p.paused = true;
      return p.release.then(() => original(...args));
    }
    if (!s) return original(...args);
    const callback = typeof args.at(-1) === "function" ? (args.pop() as (e: unknown, r?: unknown) => void) : null;
    const text = fullText.replace(/\s+/g, " ").slice(0, 70);
    const result = s.schedule(Promise.resolve(), `${op} | ${text}`).then(() => {
      const query = { pid: (client as unknown as { processID: number }).processID };
      released.add(query);
      return (original(...args) as Promise<unknown>).finally(() => released.delete(query));
    });
    if (!callback) return result;
    result.then(
      (r) => callback(null, r),
      (e) => callback(e),
    );
    return undefined;
  };
}

// The operations run on their own pool, whose every connection is gated.
const gated = createDatabase(t.env.DATABASE_URL as string, { ...poolOptions(t.env), max: 16 });
gated.pool.on("connect", gate);
afterAll(() => gated.close());
const gdb: Db = gated.db;

/** Opens the pool's connections before a run: no operation waits for a new one mid-run. */
async function warm() {
  const clients = await Promise.all(Array.from({ length: 13 }, () => gated.pool.connect()));
  for (const client of clients) client.release();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Whether a backend is waiting for a lock (then the scheduler moves on to other statements). */
async function waitingForLock(pid: number) {
  const { rows } = await t.db.execute<{ waiting: boolean }>(
    sql`select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = ${pid}`,
  );
  return rows[0]?.waiting === true;
}

/**
 * Runs the operations, releasing their statements one at a time in fast-check's order. Before each
 * choice it waits until every unfinished operation is parked (at a statement waiting for the
 * scheduler, or at one blocked on a row lock), so the choice is made among the same pending
 * statements each time and a seed replays the same interleaving (as far as lock wake-ups allow).
 */
async function drive(s: fc.Scheduler, operations: Promise<unknown>[]) {
  let finished = 0;
  const done = () => {
    finished += 1;
  };
  for (const o of operations) o.then(done, done);
  const blocked = async () => {
    let n = 0;
    for (const q of released) if (await waitingForLock(q.pid)) n += 1;
    return n;
  };
  while (finished < operations.length) {
    await tick();
    // Parked: every unfinished operation waits at the scheduler or on a lock (one may wait at two
    // statements at once, hence >=). A waiter that a commit just woke may still show as waiting:
    // when one seems to, look again.
    const parked = async () => finished + s.count() + (released.size > 0 ? await blocked() : 0) >= operations.length;
    const recheck = async () => {
      await sleep(3);
      return parked();
    };
    const settled = (await parked()) && (released.size === 0 || (await recheck()));
    if (!settled) await sleep(1);
    else if (s.count() > 0) await s.waitNext(1);
    // else: everything left is blocked on locks; a deadlock is broken by Postgres.
    else await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------
// The world

async function user(role: "learner" | "teacher" | "admin"): Promise<Actor> {
  const id = crypto.randomUUID();
  await t.db.insert(schema.users).values({
    id,
    name: `${role} ${id.slice(0, 4)}`,
    email: `${id}@example.com`,
    role,
    timezone: "UTC",
    emailVerified: true,
  });
  return { id, role };
}

const admin = await user("admin");
const pack = await createPack(
  t.db,
  { id: admin.id, ip: null },
  { name: "Interleavings", sessions: 2, sessionMinutes: 45, validityDays: 30, prices: {} },
);

/**
 * Where the world's sessions sit around `now` (minutes from the grid point before it): each
 * position has its own time, so any learner and teacher can have one session at each.
 */
const POSITIONS = [
  { name: "ended", start: -10 * 60, minutes: 60 }, // past the auto-completion grace
  { name: "justEnded", start: -2 * 60, minutes: 30 }, // report open, not yet auto-completed
  { name: "running", start: -30, minutes: 60 }, // started: learner absent possible, report not open
  { name: "soon", start: 4 * 60, minutes: 60 }, // a learner's cancellation forfeits
  { name: "far", start: 30 * 60, minutes: 90 }, // free to cancel or move
  { name: "completedOld", start: -30 * 60, minutes: 60 }, // completed by report: reversible
  { name: "completedRecent", start: -3 * 60, minutes: 45 }, // completed (learner absent): disputable
  { name: "disputed", start: -5 * 60, minutes: 60 }, // the learner reported the teacher absent
] as const;

/** Slots the batch books and moves to; some are taken by the world's "soon" and "far" sessions. */
const SLOTS = [3 * 60, 3 * 60 + 30, 4 * 60, 30 * 60, 50 * 60];

interface World {
  now: Date;
  /** two positions most operations of the run aim at */
  focus: number[];
  at: (minutes: number) => Date;
  teachers: Actor[];
  learners: Actor[];
  sessions: { id: string; position: string; learner: Actor; teacher: Actor }[];
}

async function lot(learnerId: string, sessions: number, sessionMinutes: number, now: Date, validityDays: number) {
  await t.db.transaction((tx) => openCreditLot(tx, { learnerId, sessions, sessionMinutes, validityDays, now }));
}

async function buildWorld(cast: { learner: number; teacher: number }[], focus: number[]): Promise<World> {
  const grid = Math.floor(Date.now() / STEP) * STEP;
  const now = new Date(grid + 10 * MINUTE);
  const at = (minutes: number) => new Date(grid + minutes * MINUTE);
  const setup = new Date(now.getTime() - 3 * DAY);
  const teachers = [await user("teacher"), await user("teacher"), await user("teacher")];
  const learners = [await user("learner"), await user("learner"), await user("learner")];
  for (const teacher of teachers)
    await t.db.insert(schema.availabilityRules).values(ALWAYS.map((r) => ({ ...r, teacherId: teacher.id })));
  await setTeacherRate(t, teachers[0]?.id as string, 2555, "GBP");
  await setTeacherRate(t, teachers[1]?.id as string, 4000, "USD");
  await setTeacherRate(t, teachers[2]?.id as string, 1999, "USD");
  const [l0, l1, l2] = learners as [Actor, Actor, Actor];
  // 30-minute credits: learner 0's expired 12 h ago, learner 1's expire in 20 h; 60-minute ones last.
  await lot(l0.id, 6, 30, setup, 2.5);
  await lot(l1.id, 6, 30, setup, 3 + 20 / 24);
  await lot(l0.id, 4, 60, setup, 60);
  await lot(l1.id, 4, 60, setup, 60);
  await lot(l2.id, 6, 60, setup, 60);

  const sessions: World["sessions"] = [];
  for (const [i, position] of POSITIONS.entries()) {
    const learner = learners[cast[i]?.learner ?? 0] as Actor;
    const teacher = teachers[cast[i]?.teacher ?? 0] as Actor;
    try {
      const s = await bookSession(
        t.db,
        learner,
        { teacherId: teacher.id, startsAt: at(position.start), durationMinutes: position.minutes },
        { now: setup },
      );
      sessions.push({ id: s.id, position: position.name, learner, teacher });
    } catch (error) {
      // A learner cast in too many positions runs out of credits: that position stays empty.
      if (!(error instanceof AppError && error.code === "NO_CREDITS")) throw error;
    }
  }
  const find = (name: string) => sessions.find((s) => s.position === name);
  const report = { message: "done", comments: "", nextSteps: "" };
  const old = find("completedOld");
  if (old) await reportSession(t.db, old.teacher, { sessionId: old.id, ...report }, { now: at(-28 * 60) });
  const recent = find("completedRecent");
  if (recent) await markLearnerAbsent(t.db, recent.teacher, recent.id, { now: at(-2 * 60) });
  const disputed = find("disputed");
  if (disputed) await reportTeacherAbsent(t.db, disputed.learner, { sessionId: disputed.id }, { now: at(-4 * 60) });
  return { now, focus, at, teachers, learners, sessions };
}

// ---------------------------------------------------------------------------------------------
// The operations

/** A session: 0–7 one of the positions, 8–11 one of the run's two focus positions (so operations collide). */
const pick = fc.nat(POSITIONS.length + 3);
const person = fc.nat(2);
const slot = fc.nat(SLOTS.length - 1);

const op = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("book" as const),
      learner: person,
      teacher: person,
      slot,
      minutes: fc.constantFrom(30, 60, 90),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      by: fc.constantFrom("learner" as const, "teacher" as const, "admin" as const),
      pick,
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant("reschedule" as const), pick, slot }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("report" as const), pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("learnerAbsent" as const), pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("teacherAbsent" as const), pick }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("resolve" as const),
      pick,
      resolution: fc.constantFrom("refund" as const, "complete" as const),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("reverse" as const), pick }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("autoComplete" as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("expire" as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("grant" as const), learner: person }), weight: 1 },
);
type Op = typeof op extends fc.Arbitrary<infer O> ? O : never;

async function perform(w: World, o: Op): Promise<unknown> {
  const clock = { now: w.now };
  if (o.kind === "book")
    return bookSession(
      gdb,
      w.learners[o.learner] as Actor,
      {
        teacherId: (w.teachers[o.teacher] as Actor).id,
        startsAt: w.at(SLOTS[o.slot] as number),
        durationMinutes: o.minutes,
      },
      clock,
    );
  if (o.kind === "autoComplete") return autoCompleteSessions(gdb, clock);
  if (o.kind === "expire") return expireCreditLots(gdb, clock);
  if (o.kind === "grant")
    return grantPack(
      gdb,
      { id: admin.id, ip: null },
      { learnerId: (w.learners[o.learner] as Actor).id, packId: pack.id },
    );
  const s = target(w, o.pick);
  if (!s) return "no session";
  const sessionId = s.id;
  const report = { sessionId, message: "done", comments: "", nextSteps: "" };
  switch (o.kind) {
    case "cancel":
      return o.by === "admin"
        ? adminCancelSession(gdb, admin, { sessionId, reason: "interleavings" }, clock)
        : cancelSession(gdb, o.by === "learner" ? s.learner : s.teacher, { sessionId }, clock);
    case "reschedule":
      return rescheduleSession(gdb, s.learner, { sessionId, startsAt: w.at(SLOTS[o.slot] as number) }, clock);
    case "report":
      return reportSession(gdb, s.teacher, report, clock);
    case "learnerAbsent":
      return markLearnerAbsent(gdb, s.teacher, sessionId, clock);
    case "teacherAbsent":
      return reportTeacherAbsent(gdb, s.learner, { sessionId }, clock);
    case "resolve":
      return adminResolveDispute(gdb, admin, { sessionId, resolution: o.resolution, note: "interleavings" }, clock);
    case "reverse":
      return adminReverseSession(gdb, admin, { sessionId, reason: "interleavings" }, clock);
  }
}

function target(w: World, n: number) {
  const position = POSITIONS[n < POSITIONS.length ? n : (w.focus[n % 2] as number)]?.name;
  return w.sessions.find((s) => s.position === position);
}

const label = (o: Op, w: World) => {
  const on = "pick" in o ? `:${target(w, o.pick)?.position ?? "none"}` : "";
  const by = "by" in o ? `:${o.by}` : "";
  return `${o.kind}${by}${on}`;
};

/**
 * The code of an allowed refusal. Anything that is not a 4xx (after mapping database errors) is
 * rethrown, and so is a CONFLICT: a deadlock or serialization failure means two paths took the same
 * rows in different orders (every credit path locks the learner's held credits first, then lots),
 * and overlapping bookings that deadlock in the no-overlap check answer SLOT_TAKEN.
 */
function refusal(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(refusal).join("+");
  const appError = error instanceof AppError ? error : fromDatabaseError(error);
  if (!appError || appError.status >= 500 || appError.code === "CONFLICT") throw error;
  // Conflicts mapped from the database say which (deadlock 40P01, serialization 40001, constraint).
  let pg = appError.cause as { code?: unknown; constraint?: string; cause?: unknown } | undefined;
  while (pg && typeof pg.code !== "string") pg = pg.cause as typeof pg;
  return pg ? `${appError.code}(${pg.constraint ?? pg.code})` : appError.code;
}

/** What the runs did, per operation and outcome (printed at the end). */
const outcomes = new Map<string, number>();

// ---------------------------------------------------------------------------------------------
// The invariants

/**
 * The ledger's invariants as this run changed them: what was already wrong before it (a previous,
 * failing run, while fast-check shrinks) is left out, so each run is judged on its own.
 */
async function ledgerState() {
  const i = await ledgerInvariants(t);
  return {
    unbalanced: i.unbalanced.map((r) => r.transaction_id),
    drift: i.drift.map((r) => r.account_id),
    negative: i.negative.map((r) => String(r.id)),
    /** credits issued but in no place: 0 while every credit is conserved */
    unaccounted: i.issued - i.held,
  };
}

function newlyBroken(before: Awaited<ReturnType<typeof ledgerState>>, after: typeof before) {
  const added = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  return {
    unbalanced: added(before.unbalanced, after.unbalanced),
    drift: added(before.drift, after.drift),
    negative: added(before.negative, after.negative),
    unaccounted: after.unaccounted - before.unaccounted,
  };
}

/** The run's sessions (all of them involve its users). */
const ofRun = (w: World) =>
  sql`(s.learner_id in (${sql.join(
    w.learners.map((l) => sql`${l.id}`),
    sql`, `,
  )}))`;

/** Pairs of non-cancelled sessions that overlap for one teacher or one learner. */
async function overlaps(w: World) {
  const { rows } = await t.db.execute<{ a: string; b: string }>(sql`
    select a.id as a, b.id as b from tutoring_sessions a join tutoring_sessions b
      on a.id < b.id and (a.teacher_id = b.teacher_id or a.learner_id = b.learner_id)
      and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
    join tutoring_sessions s on s.id = a.id
    where a.status <> 'cancelled' and b.status <> 'cancelled' and ${ofRun(w)}`);
  return rows;
}

/**
 * Each session's ledger trail, net per place, against its state: the credits it reserved are held
 * while booked, consumed when completed, forfeited or back in a lot when cancelled; a completed
 * session has exactly one earnings posting net of reversals, for its snapshotted pay.
 */
async function trailMismatches(w: World) {
  const { rows } = await t.db.execute<{
    id: string;
    status: string;
    outcome: string;
    credits: number;
    duration_minutes: number;
    paid_minutes: number | null;
    rate: number;
    reversed: boolean;
    lot: string;
    held: string;
    consumed: string;
    forfeited: string;
    earnings: string;
    reserves: string;
    posts: string;
    reversals: string;
  }>(sql`
    select s.id, s.status::text, s.credit_outcome::text as outcome, s.credits, s.duration_minutes, s.paid_minutes,
      s.hourly_rate_minor as rate, s.reversed_at is not null as reversed,
      coalesce(sum(e.amount) filter (where a.kind = 'credit_lot'), 0)::text as lot,
      coalesce(sum(e.amount) filter (where a.kind = 'credit_held'), 0)::text as held,
      coalesce(sum(e.amount) filter (where a.kind = 'credit_consumed'), 0)::text as consumed,
      coalesce(sum(e.amount) filter (where a.kind = 'credit_forfeited'), 0)::text as forfeited,
      coalesce(sum(e.amount) filter (where a.kind = 'wallet'), 0)::text as earnings,
      count(distinct t.id) filter (where t.kind = 'credit.reserve')::text as reserves,
      count(distinct t.id) filter (where t.kind = 'earnings.post')::text as posts,
      count(distinct t.id) filter (where t.kind = 'earnings.reverse')::text as reversals
    from tutoring_sessions s
    left join ledger_transactions t on t.reference_type = 'tutoring_session' and t.reference_id = s.id::text
    left join ledger_entries e on e.transaction_id = t.id
    left join ledger_accounts a on a.id = e.account_id
    where ${ofRun(w)}
    group by s.id`);
  const wrong: { id: string; why: string }[] = [];
  for (const r of rows) {
    const c = r.credits;
    const net = [Number(r.lot), Number(r.held), Number(r.consumed), Number(r.forfeited)];
    const expected: Record<string, [string, number[]]> = {
      reserved: ["booked", [-c, c, 0, 0]],
      consumed: ["completed", [-c, 0, c, 0]],
      forfeited: ["cancelled", [-c, 0, 0, c]],
      refunded: ["cancelled", [0, 0, 0, 0]],
    };
    const [status, places] = expected[r.outcome] ?? ["?", []];
    if (r.status !== status) wrong.push({ id: r.id, why: `${r.outcome} credit but ${r.status}` });
    if (places.join() !== net.join()) wrong.push({ id: r.id, why: `${r.outcome}: lot/held/consumed/forfeited ${net}` });
    if (Number(r.reserves) !== 1) wrong.push({ id: r.id, why: `${r.reserves} reservations` });
    const pay = earningsMinor(
      r.rate,
      payableMinutes({ durationMinutes: r.duration_minutes, paidMinutes: r.paid_minutes }),
    );
    const [posts, reversals] = [Number(r.posts), Number(r.reversals)];
    const expectedPay =
      r.status === "completed"
        ? posts === 1 && reversals === 0 && Number(r.earnings) === pay
        : posts === reversals && posts === (r.reversed ? 1 : 0) && Number(r.earnings) === 0;
    if (!expectedPay)
      wrong.push({ id: r.id, why: `${r.status}: ${posts} pay postings, ${reversals} reversals, ${r.earnings} net` });
  }
  return wrong;
}

describe("the credit ledger under concurrent use", () => {
  it("keeps every invariant whatever order concurrent bookings, changes, completions, sweeps, reversals and grants interleave in", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.record({ learner: person, teacher: person }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.nat(POSITIONS.length - 1), { minLength: 2, maxLength: 2 }),
        fc.array(op, { minLength: 6, maxLength: 12 }),
        async (s, cast, focus, ops) => {
          runs += 1;
          const w = await buildWorld(cast, focus);
          const before = await ledgerState();
          await warm();
          scheduler = s;
          const results = ops.map((o, i) =>
            operation.run(`#${i} ${label(o, w)}`, () =>
              s.schedule(Promise.resolve(), `start #${i} ${label(o, w)}`).then(() => perform(w, o)),
            ),
          );
          const settled = Promise.allSettled(results);
          try {
            await drive(s, results);
          } finally {
            scheduler = null;
          }
          for (const [i, result] of (await settled).entries()) {
            const o = ops[i] as Op;
            const outcome = result.status === "fulfilled" ? "ok" : refusal(result.reason);
            const key = `${o.kind}${"by" in o ? `:${o.by}` : ""} -> ${outcome}`;
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          }
          expect(newlyBroken(before, await ledgerState())).toEqual({
            unbalanced: [],
            drift: [],
            negative: [],
            unaccounted: 0,
          });
          expect(await overlaps(w)).toEqual([]);
          expect(await trailMismatches(w)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    // What the runs covered, e.g. "cancel:learner -> FORFEITED 3".
    console.info(
      [...outcomes.entries()]
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join("; "),
    );
  }, 240_000);
});

describe("the credit paths' lock order", () => {
  async function until(condition: () => Promise<boolean> | boolean) {
    while (!(await condition())) await sleep(5);
  }

  // A booking waits before its posting, holding what it has locked, until the other operation of the
  // same learner waits on a lock (or is done); then both must succeed. Before the held credits were
  // locked first, a reversal (held credits written by its first posting, then the lot) and a booking
  // (lot locked, then the held credits written) deadlocked here, and one of them answered CONFLICT.
  for (const other of ["reverse", "cancel"] as const)
    it(`a booking and ${other === "reverse" ? "a reversal of a completed session" : "a refunding cancellation"} of one learner queue on the held credits: no deadlock`, async () => {
      const now = new Date();
      const at = (hours: number) => new Date(Math.floor(now.getTime() / STEP) * STEP + hours * HOUR);
      const setup = new Date(now.getTime() - 3 * DAY);
      const learner = await user("learner");
      await lot(learner.id, 4, 60, setup, 60);
      const teacher = await user("teacher");
      await t.db.insert(schema.availabilityRules).values(ALWAYS.map((r) => ({ ...r, teacherId: teacher.id })));
      const earlier = await bookSession(
        t.db,
        learner,
        { teacherId: teacher.id, startsAt: other === "reverse" ? at(-30) : at(72), durationMinutes: 60 },
        { now: setup },
      );
      if (other === "reverse")
        await reportSession(
          t.db,
          teacher,
          { sessionId: earlier.id, message: "done", comments: "", nextSteps: "" },
          { now: at(-28) },
        );
      let release = () => {};
      pause = {
        op: "book",
        before: /insert into ledger_transactions/,
        release: new Promise((r) => (release = r)),
        paused: false,
      };
      const booking = operation.run("book", () =>
        bookSession(gdb, learner, { teacherId: teacher.id, startsAt: at(96), durationMinutes: 60 }),
      );
      const outcomes: PromiseSettledResult<unknown>[] = [];
      try {
        await until(() => pause?.paused === true);
        const second = operation.run(other, () =>
          other === "reverse"
            ? adminReverseSession(gdb, admin, { sessionId: earlier.id, reason: "lock order" })
            : cancelSession(gdb, learner, { sessionId: earlier.id }),
        );
        let secondDone = false;
        const done = () => {
          secondDone = true;
        };
        second.then(done, done);
        await until(async () => {
          const pid = backends.get(other);
          return secondDone || (pid !== undefined && (await waitingForLock(pid)));
        });
        release();
        outcomes.push(...(await Promise.allSettled([booking, second])));
      } finally {
        release();
        pause = null;
        backends.clear();
      }
      expect(
        outcomes.map((o) =>
          o.status === "fulfilled"
            ? "ok"
            : o.reason instanceof AppError
              ? o.reason.code
              : (fromDatabaseError(o.reason)?.code ?? String(o.reason)),
        ),
      ).toEqual(["ok", "ok"]);
      const ledger = await ledgerState();
      expect({ drift: ledger.drift, unbalanced: ledger.unbalanced, negative: ledger.negative }).toEqual({
        drift: [],
        unbalanced: [],
        negative: [],
      });
    });
});
