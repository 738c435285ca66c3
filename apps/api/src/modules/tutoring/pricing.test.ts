import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { openCreditLot } from "./credits.ts";
import { reportSession } from "./sessions.ts";
import { ALWAYS, creditBalance, ledgerInvariants, type Person, person, setTeacherRate, slotIn } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const _HOUR = 60 * MINUTE;

const admin = await person(t, "admin");

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

/** A lot whose credits each pay for `sessionMinutes`, granted the way the platform grants. */
const grant = (learnerId: string, sessions: number, sessionMinutes = 60, validityDays = 90) =>
  t.db.transaction((tx) => openCreditLot(tx, { learnerId, sessions, sessionMinutes, validityDays }));

async function world(rate = 0) {
  const teacher = await person(t, "teacher");
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  if (rate) await setTeacherRate(t, teacher.user.id, rate, "USD");
  const learner = await person(t, "learner");
  return { teacher, learner };
}

const book = (learner: Person, teacher: Person, startsAt: Date, durationMinutes: 30 | 45 | 60 | 90 | 120) =>
  learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt, durationMinutes });

const counts = async () => {
  const { rows } = await t.db.execute<{ sessions: number; transactions: number; audits: number }>(sql`
    select (select count(*)::int from tutoring_sessions) as sessions,
      (select count(*)::int from ledger_transactions) as transactions,
      (select count(*)::int from audit_log) as audits`);
  return rows[0];
};

const sessionRow = async (id: string) =>
  (await t.db.select().from(schema.tutoringSessions).where(eq(schema.tutoringSessions.id, id)))[0];

describe("priced session lengths", () => {
  it("a 90-minute session with 60-minute credits costs 2 credits: the preview says so, booking takes 2, cancelling returns 2", async () => {
    const { teacher, learner } = await world();
    await grant(learner.user.id, 3);

    expect(await learner.agent.trpc.tutoring.sessions.cost.query({ durationMinutes: 90 })).toEqual({
      durationMinutes: 90,
      credits: 2,
      creditMinutes: 60,
      available: 3,
      canAfford: true,
    });
    expect(await learner.agent.trpc.tutoring.sessions.cost.query({ durationMinutes: 60 })).toMatchObject({
      credits: 1,
    });

    const session = await book(learner, teacher, slotIn(48), 90);

    expect(session).toMatchObject({ credits: 2, creditOutcome: "reserved" });
    expect(await sessionRow(session.id)).toMatchObject({ credits: 2, paidMinutes: 120 });
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    const balance = await learner.agent.trpc.credits.balance.query();
    expect(balance.lots[0]).toMatchObject({ remaining: 1, reserved: 2, sessionMinutes: 60 });

    const cancelled = await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });

    expect(cancelled.creditOutcome).toBe("refunded");
    expect(await creditBalance(t, learner.user.id)).toBe(3);
    await expectLedgerSound();
  });

  it("a learner with 1 credit cannot book 90 minutes (409 NO_CREDITS) and nothing is written", async () => {
    const { teacher, learner } = await world();
    await grant(learner.user.id, 1);
    expect(await learner.agent.trpc.tutoring.sessions.cost.query({ durationMinutes: 90 })).toMatchObject({
      credits: 2,
      available: 1,
      canAfford: false,
    });
    const before = await counts();

    expect(await trpcError(book(learner, teacher, slotIn(48), 90))).toMatchObject({
      status: 409,
      appCode: "NO_CREDITS",
    });

    expect(await counts()).toEqual(before);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    // The same credit still pays for a session up to its length.
    expect(await book(learner, teacher, slotIn(48), 60)).toMatchObject({ credits: 1 });
    await expectLedgerSound();
  });

  it("a lot keeps its pack's session length from grant time: one credit of a 90-minute pack pays a 90-minute session", async () => {
    const { teacher, learner } = await world();
    const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Long", sessions: 2, sessionMinutes: 90 });
    const lot = await admin.agent.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id });
    expect(lot).toMatchObject({ sessionMinutes: 90 });
    // Later changes to the pack do not reprice credits already granted.
    await admin.agent.trpc.admin.packs.update.mutate({ ...pack, packId: pack.id, sessionMinutes: 30 });

    expect(await learner.agent.trpc.tutoring.sessions.cost.query({ durationMinutes: 90 })).toMatchObject({
      credits: 1,
      creditMinutes: 90,
    });
    expect(await learner.agent.trpc.tutoring.sessions.cost.query({ durationMinutes: 120 })).toMatchObject({
      credits: 2,
    });
    const session = await book(learner, teacher, slotIn(48), 90);
    expect(session.credits).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
  });

  it("a session is paid from one lot: the soonest-expiring one that can pay for it on its own", async () => {
    const { teacher, learner } = await world();
    const soon = await grant(learner.user.id, 1, 60, 5);
    const later = await grant(learner.user.id, 2, 60, 30);

    const long = await book(learner, teacher, slotIn(48), 120);
    const short = await book(learner, teacher, slotIn(72), 30);

    expect(await sessionRow(long.id)).toMatchObject({ creditLotId: later.id, credits: 2 });
    expect(await sessionRow(short.id)).toMatchObject({ creditLotId: soon.id, credits: 1 });
    await expectLedgerSound();
  });

  it("the admin's create form gets the same price, and the admin's booking takes it", async () => {
    const { teacher, learner } = await world();
    await grant(learner.user.id, 2);
    expect(
      await admin.agent.trpc.admin.sessions.cost.query({ learnerId: learner.user.id, durationMinutes: 120 }),
    ).toMatchObject({ credits: 2, available: 2, canAfford: true });
    expect(
      await trpcError(
        learner.agent.trpc.admin.sessions.cost.query({ learnerId: learner.user.id, durationMinutes: 60 }),
      ),
    ).toMatchObject({ status: 403 });

    const session = await admin.agent.trpc.admin.sessions.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 120,
    });

    expect(session).toMatchObject({ credits: 2, creditOutcome: "reserved" });
    expect(await creditBalance(t, learner.user.id)).toBe(0);
  });

  it("earnings = min(duration, paid minutes) × rate: a session an admin lengthens without more credits pays what was paid for", async () => {
    const { teacher, learner } = await world(6000);
    await grant(learner.user.id, 3);
    const lengthened = await book(learner, teacher, slotIn(30), 60);
    await admin.agent.trpc.admin.sessions.update.mutate({ sessionId: lengthened.id, durationMinutes: 120 });
    const ninety = await book(learner, teacher, slotIn(40), 90);
    const teacherActor = { id: teacher.user.id, role: "teacher" as const };

    for (const s of [lengthened, ninety]) {
      const row = await sessionRow(s.id);
      if (!row) throw new Error("session missing");
      await reportSession(
        t.db,
        teacherActor,
        { sessionId: s.id, message: "Done", comments: "", nextSteps: "" },
        { now: row.endsAt },
      );
    }

    const earnings = await teacher.agent.trpc.tutoring.earnings.query({});
    const byId = new Map(earnings.items.map((i) => [i.sessionId, i.amountMinor]));
    // 120 minutes long, 60 paid for: 60 × 6000 / 60.
    expect(byId.get(lengthened.id)).toBe(6000);
    // 90 minutes long, 2 credits pay 120: the duration, 90 × 6000 / 60.
    expect(byId.get(ninety.id)).toBe(9000);
    await expectLedgerSound();
  });
});
