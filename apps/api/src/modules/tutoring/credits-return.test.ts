import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../../testing/vitest.ts";
import { adminCancelSession } from "./admin-sessions.ts";
import { creditBalance, expireCreditLots, openCreditLot } from "./credits.ts";
import { cancelSession } from "./sessions.ts";
import { ALWAYS, ledgerInvariants, type Person, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MIN_VALIDITY = TUTORING_POLICY.returnedCreditMinValidityDays * DAY;

const admin = await person(t, "admin");
const actorOf = (p: Person) => ({ id: p.user.id, role: p.user.role });

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

/**
 * A learner whose 2-credit lot expires in 3 days, with a 90-minute session (2 credits) booked in
 * 6 days; the clock then moves to day 4, after the lot expired and the sweep ran.
 */
async function bookedAcrossExpiry() {
  const teacher = await person(t, "teacher");
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  const learner = await person(t, "learner");
  const lot = await t.db.transaction((tx) =>
    openCreditLot(tx, { learnerId: learner.user.id, sessions: 3, validityDays: 3 }),
  );
  const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
    teacherId: teacher.user.id,
    startsAt: slotIn(6 * 24),
    durationMinutes: 90,
  });
  const later = new Date(Date.now() + 4 * DAY);
  // The unbooked credit expires as usual.
  expect(await expireCreditLots(t.db, { now: later })).toEqual({ lots: 1, credits: 1 });
  return { teacher, learner, lot, session, later };
}

async function expectReturnedForAtLeastTheMinimum(learnerId: string, oldLotId: string, at: Date) {
  const balance = await creditBalance(t.db, learnerId, at);
  expect(balance.totalAvailable).toBe(2);
  const fresh = balance.lots.find((l) => l.remaining === 2);
  expect(fresh?.id).not.toBe(oldLotId);
  expect(fresh?.expiresAt.getTime()).toBeGreaterThanOrEqual(at.getTime() + MIN_VALIDITY);
  expect(fresh?.sessionMinutes).toBe(60);
  // The hourly sweep never takes it before then...
  expect(await expireCreditLots(t.db, { now: new Date(at.getTime() + MIN_VALIDITY - MINUTE) })).toEqual({
    lots: 0,
    credits: 0,
  });
  expect((await creditBalance(t.db, learnerId, new Date(at.getTime() + MIN_VALIDITY - MINUTE))).totalAvailable).toBe(2);
  await expectLedgerSound();
}

describe("credits returned after their lot expired", () => {
  it("a teacher's cancellation returns the credits with at least 14 days of validity, in the same transaction", async () => {
    const { teacher, learner, lot, session, later } = await bookedAcrossExpiry();

    const cancelled = await cancelSession(t.db, actorOf(teacher), { sessionId: session.id }, { now: later });

    expect(cancelled.creditOutcome).toBe("refunded");
    const [refund] = await t.db
      .select()
      .from(schema.ledgerTransactions)
      .where(eq(schema.ledgerTransactions.kind, "credit.refund"));
    expect(refund).toMatchObject({ referenceId: session.id, metadata: expect.objectContaining({ fromLotId: lot.id }) });
    await expectReturnedForAtLeastTheMinimum(learner.user.id, lot.id, later);
  });

  it("an admin's cancellation does the same", async () => {
    const { learner, lot, session, later } = await bookedAcrossExpiry();

    await adminCancelSession(t.db, actorOf(admin), { sessionId: session.id, reason: "Teacher ill" }, { now: later });

    await expectReturnedForAtLeastTheMinimum(learner.user.id, lot.id, later);
  });

  it("a credit whose lot is still valid long enough goes back to that lot", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    const lot = await t.db.transaction((tx) =>
      openCreditLot(tx, { learnerId: learner.user.id, sessions: 1, validityDays: 90 }),
    );
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(48),
    });

    await teacher.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id });

    const balance = await creditBalance(t.db, learner.user.id);
    expect(balance.lots.map((l) => [l.id, l.remaining])).toEqual([[lot.id, 1]]);
    await expectLedgerSound();
  });
});
