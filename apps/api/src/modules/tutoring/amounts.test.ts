import { PACK_MAX_PRICE_MINOR, TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import { openCreditLot } from "./credits.ts";
import { AUTO_COMPLETE_TASK } from "./jobs.ts";
import { autoCompleteSessions } from "./sessions.ts";
import { ALWAYS, ledgerInvariants, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GRACE = TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE;
const MAX_NGN = TUTORING_POLICY.maxHourlyRateMinor.NGN;

const admin = await person(t, "admin");

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

/** A teacher at `rate`, set through the admin console, and a learner with 4 credits. */
async function world(rate: number, currency: "USD" | "NGN") {
  const teacher = await person(t, "teacher");
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  await admin.agent.trpc.admin.teachers.setRate.mutate({
    teacherId: teacher.user.id,
    hourlyRateMinor: rate,
    rateCurrency: currency,
  });
  const learner = await person(t, "learner");
  await t.db.transaction((tx) => openCreditLot(tx, { learnerId: learner.user.id, sessions: 4, validityDays: 90 }));
  return { teacher, learner };
}

describe("amounts are bounded", () => {
  it("an hourly rate above its currency's maximum is refused (400 RATE_TOO_HIGH) and changes nothing", async () => {
    const teacher = await person(t, "teacher");
    const setRate = (hourlyRateMinor: number, rateCurrency: "USD" | "NGN") =>
      admin.agent.trpc.admin.teachers.setRate.mutate({ teacherId: teacher.user.id, hourlyRateMinor, rateCurrency });
    await setRate(2500, "USD");

    for (const [rate, currency] of [
      [9_000_000_000_000_000, "USD"],
      [TUTORING_POLICY.maxHourlyRateMinor.USD + 1, "USD"],
      [MAX_NGN + 1, "NGN"],
    ] as const) {
      expect(await trpcError(setRate(rate, currency))).toMatchObject({ status: 400, appCode: "RATE_TOO_HIGH" });
    }
    // Beyond a safe integer the contract refuses it before the service sees it.
    expect(await trpcError(setRate(2 ** 60, "USD"))).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });

    const [profile] = await t.db
      .select()
      .from(schema.teacherProfiles)
      .where(eq(schema.teacherProfiles.userId, teacher.user.id));
    expect(profile).toMatchObject({ hourlyRateMinor: 2500, rateCurrency: "USD" });
    // The maximum itself is fine, and the database refuses anything above the highest maximum.
    expect(await setRate(MAX_NGN, "NGN")).toMatchObject({ hourlyRateMinor: MAX_NGN });
    await expect(
      t.db
        .update(schema.teacherProfiles)
        .set({ hourlyRateMinor: MAX_NGN + 1 })
        .where(eq(schema.teacherProfiles.userId, teacher.user.id)),
    ).rejects.toThrow();
  });

  it("a pack price above the ceiling is refused with a validation error", async () => {
    const create = (price: number) =>
      admin.agent.trpc.admin.packs.create.mutate({ name: "Big", sessions: 1, prices: { USD: price } });
    expect(await trpcError(create(PACK_MAX_PRICE_MINOR + 1))).toMatchObject({
      status: 400,
      appCode: "VALIDATION_FAILED",
    });
    expect(await create(PACK_MAX_PRICE_MINOR)).toMatchObject({ prices: { USD: PACK_MAX_PRICE_MINOR } });
  });

  it("at the maximum rate the auto-complete sweep pays a 120-minute session exactly and the payroll report adds it up", async () => {
    const { teacher, learner } = await world(MAX_NGN, "NGN");
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 120,
    });
    const from = new Date();

    expect(await autoCompleteSessions(t.db, { now: new Date(session.endsAt.getTime() + GRACE + MINUTE) })).toEqual({
      completed: 1,
    });

    const earnings = await teacher.agent.trpc.tutoring.earnings.query({});
    expect(earnings.items).toEqual([expect.objectContaining({ sessionId: session.id, amountMinor: 2 * MAX_NGN })]);
    const report = await admin.agent.trpc.admin.payroll.report.query({ from, to: new Date(Date.now() + HOUR) });
    expect(report.rows).toEqual([
      expect.objectContaining({ teacherId: teacher.user.id, currency: "NGN", minutes: 120, owedMinor: 2 * MAX_NGN }),
    ]);
    const csv = await admin.agent.trpc.admin.payroll.csv.query({ from, to: new Date(Date.now() + HOUR) });
    expect(csv.csv).toContain("20000000.00");
    await expectLedgerSound();
  });

  it("the worker's auto-complete job succeeds at the maximum rate", async () => {
    const { teacher, learner } = await world(MAX_NGN, "NGN");
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 90,
    });
    // Let the session have ended long ago, then run the job as the worker does.
    await t.db
      .update(schema.tutoringSessions)
      .set({ startsAt: new Date(Date.now() - 2 * GRACE), endsAt: new Date(Date.now() - 2 * GRACE + 90 * MINUTE) })
      .where(eq(schema.tutoringSessions.id, session.id));
    await t.db.execute(sql`select graphile_worker.add_job(${AUTO_COMPLETE_TASK}, '{}'::json, max_attempts => 1)`);
    const failures: string[] = [];
    await runOnce({
      pgPool: t.database.pool,
      logger: new WorkerLogger(() => (level, message) => {
        if (level === "error") failures.push(message);
      }),
      taskList: createTaskList({
        db: t.db,
        email: createEmailProvider({ EMAIL_FROM: "x@y.z" }, t.logger),
        logger: t.logger,
      }),
    });

    expect(failures).toEqual([]);
    expect(await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).toMatchObject({
      status: "completed",
    });
    const earnings = await teacher.agent.trpc.tutoring.earnings.query({});
    expect(earnings.items).toEqual([expect.objectContaining({ amountMinor: 1.5 * MAX_NGN })]);
    await expectLedgerSound();
  });
});
