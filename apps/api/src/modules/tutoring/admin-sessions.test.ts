import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { reportSession } from "./sessions.ts";
import {
  creditBalance,
  grantCredits,
  jobsWithKeyPrefix,
  ledgerInvariants,
  person,
  setTeacherRate,
  slotIn,
} from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const auditOf = (action: string, targetId: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), eq(schema.auditLog.targetId, targetId)));

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

const admin = await person(t, "admin", { name: "Amina Admin" });
const api = admin.agent.trpc.admin.sessions;

describe("admin sessions", () => {
  it("books for a learner outside the teacher's hours, taking a credit; without one only with a written reason, audited", async () => {
    // This teacher has no availability at all: admins may still place sessions.
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 1);

    const withCredit = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 30,
      notes: "Placement test",
    });

    expect(withCredit).toMatchObject({ status: "booked", creditOutcome: "reserved", notes: "Placement test" });
    expect(withCredit.ledger.map((l) => l.kind)).toEqual(["credit.reserve"]);
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    expect(await auditOf("tutoring.session.create", withCredit.id)).toHaveLength(1);
    expect(await jobsWithKeyPrefix(t, `tutoring.reminder:${withCredit.id}:`)).toHaveLength(2);

    const base = { learnerId: learner.user.id, teacherId: teacher.user.id, startsAt: slotIn(60) };
    expect(await trpcError(api.create.mutate(base))).toMatchObject({ status: 409, appCode: "NO_CREDITS" });
    expect(await trpcError(api.create.mutate({ ...base, overrideCredit: true }))).toMatchObject({
      status: 400,
      appCode: "VALIDATION_FAILED",
    });
    expect(await trpcError(api.create.mutate({ ...base, overrideCredit: true, reason: "  " }))).toMatchObject({
      status: 400,
    });

    const free = await api.create.mutate({ ...base, overrideCredit: true, reason: "Goodwill after outage" });

    expect(free).toMatchObject({ creditOutcome: "none", creditLotId: null, ledger: [] });
    const [audit] = await auditOf("tutoring.session.create", free.id);
    expect(audit).toMatchObject({ actorId: admin.user.id });
    expect(audit?.after).toMatchObject({ overrideCredit: true, reason: "Goodwill after outage" });

    // Never over another session, and only real learners and teachers.
    expect(
      await trpcError(
        api.create.mutate({
          ...base,
          startsAt: new Date(base.startsAt.getTime() + 30 * MINUTE),
          overrideCredit: true,
          reason: "x",
        }),
      ),
    ).toMatchObject({ status: 409, appCode: "SLOT_TAKEN" });
    expect(
      await trpcError(api.create.mutate({ ...base, learnerId: teacher.user.id, overrideCredit: true, reason: "x" })),
    ).toMatchObject({ status: 404, appCode: "LEARNER_NOT_FOUND" });
    expect(
      await trpcError(api.create.mutate({ ...base, teacherId: learner.user.id, overrideCredit: true, reason: "x" })),
    ).toMatchObject({ status: 404, appCode: "TEACHER_NOT_FOUND" });
    expect(
      await trpcError(
        api.create.mutate({ ...base, startsAt: new Date(Date.now() - HOUR), overrideCredit: true, reason: "x" }),
      ),
    ).toMatchObject({ status: 409, appCode: "TOO_SOON" });
    await expectLedgerSound();
  });

  it("edits time, teacher, link and notes: never overlapping, credit unchanged, reminders moved, new teacher's rate snapshotted, audited", async () => {
    const teacher = await person(t, "teacher");
    const otherTeacher = await person(t, "teacher");
    await setTeacherRate(t, otherTeacher.user.id, 4000, "NGN");
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 1);
    const session = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(40),
    });
    const blocker = await api.create.mutate({
      learnerId: (await person(t, "learner")).user.id,
      teacherId: otherTeacher.user.id,
      startsAt: slotIn(80),
      overrideCredit: true,
      reason: "blocker",
    });

    expect(
      await trpcError(
        api.update.mutate({ sessionId: session.id, teacherId: otherTeacher.user.id, startsAt: blocker.startsAt }),
      ),
    ).toMatchObject({ status: 409, appCode: "SLOT_TAKEN" });
    const newStart = slotIn(100);

    const updated = await api.update.mutate({
      sessionId: session.id,
      teacherId: otherTeacher.user.id,
      startsAt: newStart,
      durationMinutes: 90,
      meetingUrl: "https://meet.example.com/new",
      notes: "Moved by support",
    });

    expect(updated).toMatchObject({
      startsAt: newStart,
      endsAt: new Date(newStart.getTime() + 90 * MINUTE),
      durationMinutes: 90,
      teacher: { id: otherTeacher.user.id },
      meetingUrl: "https://meet.example.com/new",
      notes: "Moved by support",
      hourlyRateMinor: 4000,
      rateCurrency: "NGN",
      creditOutcome: "reserved",
    });
    expect(updated.ledger.map((l) => l.kind)).toEqual(["credit.reserve"]);
    expect((await jobsWithKeyPrefix(t, `tutoring.reminder:${session.id}:`)).map((j) => j.run_at.getTime())).toEqual([
      newStart.getTime() - 24 * HOUR,
      newStart.getTime() - HOUR,
    ]);
    const [audit] = await auditOf("tutoring.session.update", session.id);
    expect(audit?.before).toMatchObject({ teacherId: teacher.user.id, notes: null });
    expect(audit?.after).toMatchObject({ teacherId: otherTeacher.user.id, notes: "Moved by support" });

    // Nothing to change: no audit row.
    await api.update.mutate({ sessionId: session.id, notes: "Moved by support" });
    expect(await auditOf("tutoring.session.update", session.id)).toHaveLength(1);

    await api.cancel.mutate({ sessionId: session.id, reason: "Teacher ill" });
    expect(await trpcError(api.update.mutate({ sessionId: session.id, startsAt: slotIn(120) }))).toMatchObject({
      status: 409,
      appCode: "SESSION_NOT_BOOKED",
    });
    expect(await api.update.mutate({ sessionId: session.id, notes: "Refunded" })).toMatchObject({ notes: "Refunded" });
    expect(await trpcError(api.update.mutate({ sessionId: crypto.randomUUID(), notes: "x" }))).toMatchObject({
      status: 404,
      appCode: "SESSION_NOT_FOUND",
    });
  });

  it("an admin cancellation always returns the credit and tells both sides; delete only when nothing moved in the ledger", async () => {
    const teacher = await person(t, "teacher");
    await setTeacherRate(t, teacher.user.id, 2000);
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 1);
    const late = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(3),
    });

    const cancelled = await api.cancel.mutate({ sessionId: late.id, reason: "Platform outage" });

    expect(cancelled).toMatchObject({ status: "cancelled", creditOutcome: "refunded", cancelledBy: "admin" });
    expect(cancelled.ledger.map((l) => l.kind)).toEqual(["credit.reserve", "credit.refund"]);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    const told = await t.db
      .select({ to: schema.emailOutbox.toAddress })
      .from(schema.emailOutbox)
      .where(eq(schema.emailOutbox.template, "session-cancelled"));
    expect(told.map((r) => r.to)).toEqual(expect.arrayContaining([learner.email, teacher.email]));
    expect(await trpcError(api.cancel.mutate({ sessionId: late.id, reason: "again" }))).toMatchObject({
      status: 409,
      appCode: "SESSION_NOT_BOOKED",
    });

    // It moved a credit: it can be cancelled but not deleted.
    expect(await trpcError(api.delete.mutate({ sessionId: late.id }))).toMatchObject({
      status: 409,
      appCode: "HAS_LEDGER_EFFECT",
    });
    // Booked without a credit but completed with pay: the pay is a ledger effect.
    const paid = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      overrideCredit: true,
      reason: "trial",
    });
    await reportSession(
      t.db,
      { id: teacher.user.id, role: "teacher" },
      { sessionId: paid.id, message: "ok", comments: "", nextSteps: "" },
      { now: paid.endsAt },
    );
    expect(await trpcError(api.delete.mutate({ sessionId: paid.id }))).toMatchObject({ appCode: "HAS_LEDGER_EFFECT" });

    const mistake = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(90),
      overrideCredit: true,
      reason: "typo",
    });
    expect(await api.delete.mutate({ sessionId: mistake.id, reason: "created by mistake" })).toEqual({ deleted: true });
    expect(await trpcError(api.get.query({ sessionId: mistake.id }))).toMatchObject({ status: 404 });
    expect(await jobsWithKeyPrefix(t, `tutoring.reminder:${mistake.id}:`)).toEqual([]);
    const [audit] = await auditOf("tutoring.session.delete", mistake.id);
    expect(audit?.before).toMatchObject({ learnerId: learner.user.id, creditOutcome: "none" });
    expect(await trpcError(api.delete.mutate({ sessionId: mistake.id }))).toMatchObject({
      status: 404,
      appCode: "SESSION_NOT_FOUND",
    });
    await expectLedgerSound();
  });

  it("lists with filters (teacher, learner, dates, status, text over names, emails and notes) and pages", async () => {
    const tag = `lst${crypto.randomUUID().slice(0, 6)}`;
    const teacher = await person(t, "teacher", { name: `${tag} Teacher` });
    const learner = await person(t, "learner", { email: `${tag}-learner@example.com` });
    const first = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      overrideCredit: true,
      reason: "x",
    });
    const second = await api.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(60),
      overrideCredit: true,
      reason: "x",
      notes: `needs ${tag}-projector`,
    });
    await api.cancel.mutate({ sessionId: first.id, reason: "x" });

    const byTeacher = await api.list.query({ teacherId: teacher.user.id });
    expect(byTeacher.items.map((s) => s.id)).toEqual([second.id, first.id]);
    expect(byTeacher.items[0]).toMatchObject({
      learner: { email: learner.email },
      teacher: { name: `${tag} Teacher` },
    });
    expect((await api.list.query({ learnerId: learner.user.id, status: "cancelled" })).items.map((s) => s.id)).toEqual([
      first.id,
    ]);
    expect(
      (await api.list.query({ teacherId: teacher.user.id, from: slotIn(45), to: slotIn(75) })).items.map((s) => s.id),
    ).toEqual([second.id]);
    expect((await api.list.query({ query: `${tag} teach` })).total).toBe(2);
    expect((await api.list.query({ query: `${tag}-LEARNER@` })).total).toBe(2);
    expect((await api.list.query({ query: `${tag}-projector` })).items.map((s) => s.id)).toEqual([second.id]);
    const page = await api.list.query({ teacherId: teacher.user.id, page: 2, pageSize: 1 });
    expect(page).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page.items.map((s) => s.id)).toEqual([first.id]);
  });
});
