import { type ErrorCode, TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError, fromDatabaseError } from "../../errors.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adminCancelSession, adminCreateSession, adminUpdateSession } from "./admin-sessions.ts";
import { expireCreditLots } from "./credits.ts";
import {
  type Actor,
  autoCompleteSessions,
  bookSession,
  cancelSession,
  reportSession,
  rescheduleSession,
} from "./sessions.ts";
import { ALWAYS, grantCredits, ledgerInvariants, setTeacherRate } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
/** Every run starts its clock here; time only moves through the `advance` command. */
const T0 = new Date("2031-03-28T00:00:00Z").getTime();

/** What the rules may answer; anything else (or any 5xx) fails the property. */
const EXPECTED: ReadonlySet<ErrorCode> = new Set([
  "SLOT_TAKEN",
  "SLOT_UNAVAILABLE",
  "TOO_SOON",
  "TOO_LATE_TO_CHANGE",
  "NO_CREDITS",
  "INSUFFICIENT_BALANCE",
  "SESSION_NOT_BOOKED",
  "SESSION_NOT_STARTED",
  "SESSION_STARTED",
  "REPORT_NOT_OPEN",
]);

const slotArb = fc.nat(160);
const personArb = fc.nat(1);
const pickArb = fc.nat(50);

const command = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("book" as const),
      learner: personArb,
      teacher: personArb,
      slot: slotArb,
      minutes: fc.constantFrom(30 as const, 60 as const, 120 as const),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      by: fc.constantFrom("learner" as const, "teacher" as const),
      pick: pickArb,
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("reschedule" as const), pick: pickArb, slot: slotArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("report" as const), pick: pickArb }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant("advance" as const), hours: fc.integer({ min: 1, max: 30 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("sweep" as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("expire" as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      learner: personArb,
      credits: fc.integer({ min: 1, max: 3 }),
      days: fc.integer({ min: 1, max: 4 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("adminCreate" as const),
      learner: personArb,
      teacher: personArb,
      slot: slotArb,
      override: fc.boolean(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("adminEdit" as const), pick: pickArb, teacher: personArb, slot: slotArb }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("adminCancel" as const), pick: pickArb }), weight: 1 },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

async function user(role: "learner" | "teacher" | "admin", timezone = "UTC"): Promise<Actor> {
  const id = crypto.randomUUID();
  await t.db
    .insert(schema.users)
    .values({ id, name: `${role} ${id.slice(0, 4)}`, email: `${id}@example.com`, role, timezone, emailVerified: true });
  return { id, role };
}

/** Runs a rule; the refusals the rules may give are fine, anything else is rethrown. */
async function attempt(action: () => Promise<unknown>) {
  try {
    await action();
  } catch (error) {
    const appError = error instanceof AppError ? error : fromDatabaseError(error);
    if (!appError || !EXPECTED.has(appError.code)) throw error;
  }
}

async function run(commands: Command[]) {
  let now = T0;
  const clock = () => ({ now: new Date(now) });
  const admin = await user("admin");
  const learners = [await user("learner", "Europe/London"), await user("learner", "Asia/Tokyo")];
  const teachers = [await user("teacher", "Europe/London"), await user("teacher", "America/New_York")];
  for (const teacher of teachers) {
    await t.db.insert(schema.availabilityRules).values(ALWAYS.map((r) => ({ ...r, teacherId: teacher.id })));
  }
  await setTeacherRate(t, teachers[0]?.id as string, 2555, "GBP");
  for (const learner of learners) await grantCredits(t, learner.id, 2, new Date(now), 3);
  const sessions: string[] = [];
  const at = (slot: number) => new Date(Math.ceil((T0 + 3 * HOUR) / STEP) * STEP + slot * STEP);
  const pick = (i: number) => sessions[i % Math.max(sessions.length, 1)];
  const learnerOf = async (id: string) =>
    (
      await t.db.execute<{ learner_id: string; teacher_id: string }>(sql`
      select learner_id, teacher_id from tutoring_sessions where id = ${id}`)
    ).rows[0];

  for (const c of commands) {
    switch (c.kind) {
      case "book":
        await attempt(async () => {
          const s = await bookSession(
            t.db,
            learners[c.learner] as Actor,
            { teacherId: (teachers[c.teacher] as Actor).id, startsAt: at(c.slot), durationMinutes: c.minutes },
            clock(),
          );
          sessions.push(s.id);
        });
        break;
      case "cancel":
      case "reschedule":
      case "report": {
        const id = pick(c.pick);
        const people = id ? await learnerOf(id) : undefined;
        if (!id || !people) break;
        const learner: Actor = { id: people.learner_id, role: "learner" };
        const teacher: Actor = { id: people.teacher_id, role: "teacher" };
        if (c.kind === "cancel")
          await attempt(() => cancelSession(t.db, c.by === "learner" ? learner : teacher, { sessionId: id }, clock()));
        else if (c.kind === "reschedule")
          await attempt(() => rescheduleSession(t.db, learner, { sessionId: id, startsAt: at(c.slot) }, clock()));
        else
          await attempt(() =>
            reportSession(t.db, teacher, { sessionId: id, message: "done", comments: "", nextSteps: "" }, clock()),
          );
        break;
      }
      case "advance":
        now += c.hours * HOUR;
        break;
      case "sweep":
        await autoCompleteSessions(t.db, clock());
        break;
      case "expire":
        await expireCreditLots(t.db, clock());
        break;
      case "grant":
        await grantCredits(t, (learners[c.learner] as Actor).id, c.credits, new Date(now), c.days);
        break;
      case "adminCreate":
        await attempt(async () => {
          const s = await adminCreateSession(
            t.db,
            admin,
            {
              learnerId: (learners[c.learner] as Actor).id,
              teacherId: (teachers[c.teacher] as Actor).id,
              startsAt: at(c.slot),
              durationMinutes: 60,
              overrideCredit: c.override,
              reason: c.override ? "property test" : undefined,
            },
            clock(),
          );
          sessions.push(s.id);
        });
        break;
      case "adminEdit": {
        const id = pick(c.pick);
        if (id)
          await attempt(() =>
            adminUpdateSession(
              t.db,
              admin,
              { sessionId: id, startsAt: at(c.slot), teacherId: (teachers[c.teacher] as Actor).id },
              clock(),
            ),
          );
        break;
      }
      case "adminCancel": {
        const id = pick(c.pick);
        if (id) await attempt(() => adminCancelSession(t.db, admin, { sessionId: id, reason: "property" }, clock()));
        break;
      }
    }
  }
  return sessions;
}

/** Each session's ledger trail matches its state: one reservation at most, settled at most once. */
async function sessionTrailMismatches() {
  const { rows } = await t.db.execute<{ id: string }>(sql`
    with trail as (
      select s.id, s.status, s.credit_outcome::text as outcome, s.hourly_rate_minor as rate,
        count(*) filter (where t.kind = 'credit.reserve') as reserve,
        count(*) filter (where t.kind = 'credit.refund') as refund,
        count(*) filter (where t.kind = 'credit.forfeit') as forfeit,
        count(*) filter (where t.kind = 'credit.consume') as consume,
        count(*) filter (where t.kind = 'earnings.post') as earnings
      from tutoring_sessions s
      left join ledger_transactions t on t.reference_type = 'tutoring_session' and t.reference_id = s.id::text
      group by s.id)
    select id from trail where not (
      case outcome
        when 'none' then reserve + refund + forfeit + consume = 0
        when 'reserved' then reserve = 1 and refund + forfeit + consume = 0 and status = 'booked'
        when 'refunded' then reserve = 1 and refund = 1 and forfeit + consume = 0 and status = 'cancelled'
        when 'forfeited' then reserve = 1 and forfeit = 1 and refund + consume = 0 and status = 'cancelled'
        when 'consumed' then reserve = 1 and consume = 1 and refund + forfeit = 0 and status = 'completed'
      end
      and earnings = case when status = 'completed' and rate > 0 then 1 else 0 end)`);
  return rows;
}

/**
 * Pricing holds: each reservation moved exactly the session's credits, those credits pay for at
 * least its length when booked, and no pay covers more minutes than the learner paid for.
 */
async function pricingMismatches() {
  const { rows } = await t.db.execute<{ id: string }>(sql`
    select distinct s.id from tutoring_sessions s
    join ledger_transactions t on t.reference_type = 'tutoring_session' and t.reference_id = s.id::text
    join ledger_entries e on e.transaction_id = t.id and e.amount > 0
    where (t.kind = 'credit.reserve' and (e.amount <> s.credits or s.paid_minutes < s.duration_minutes))
      or (t.kind = 'earnings.post' and e.amount >
        (s.hourly_rate_minor * least(s.duration_minutes, coalesce(s.paid_minutes, s.duration_minutes)) * 2 + 60) / 120)`);
  return rows;
}

describe("the credit ledger under random use", () => {
  it("stays balanced, never negative, never drifts, and conserves every credit issued", async () => {
    let runs = 0;
    let sessionsSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 30 }), async (commands) => {
        runs += 1;
        sessionsSeen += (await run(commands)).length;
        const invariants = await ledgerInvariants(t);
        expect(invariants.unbalanced).toEqual([]);
        expect(invariants.drift).toEqual([]);
        expect(invariants.negative).toEqual([]);
        expect(invariants.held).toBe(invariants.issued);
        expect(await sessionTrailMismatches()).toEqual([]);
        expect(await pricingMismatches()).toEqual([]);
      }),
      // On failure fast-check prints the seed and path that replay the failing run.
      { numRuns: 25 },
    );
    expect(runs).toBe(25);
    // The runs did real work, not just refusals.
    expect(sessionsSeen).toBeGreaterThan(25);
  });
});
