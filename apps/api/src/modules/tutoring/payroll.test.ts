import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signedInAs, signUpVerified, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { systemAccountId } from "../ledger/accounts.ts";
import { transfer, userAccount } from "../ledger/service.ts";
import { EARNINGS_POST, TEACHER_EARNINGS } from "./payroll.ts";

const t = await useTestApp();

type Person = Awaited<ReturnType<typeof signedInAs>>;
let admin: Person;
let learner: Person;

beforeAll(async () => {
  [admin, learner] = await Promise.all([signedInAs(t, "admin"), signedInAs(t, "learner")]);
});

/** A teacher whose name is whatever the test needs (commas, quotes). */
async function teacherNamed(name: string, email: string) {
  const { user } = await signUpVerified(t, { name, email });
  await t.db.update(schema.users).set({ role: "teacher" }).where(eq(schema.users.id, user.id));
  return user;
}

let hour = 0;
/**
 * A completed session (inserted directly: completing sessions is another module's rule) and its
 * earnings posting, made through the ledger service the way completion posts it.
 */
async function paidSession(teacherId: string, minutes: number, rateMinor: number, currency: string) {
  hour += 3;
  const startsAt = new Date(Date.UTC(2031, 0, 1, hour));
  const [session] = await t.db
    .insert(schema.tutoringSessions)
    .values({
      teacherId,
      learnerId: learner.user.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + minutes * 60_000),
      durationMinutes: minutes,
      status: "completed",
      completedAt: new Date(),
      hourlyRateMinor: rateMinor,
      rateCurrency: currency,
      creditOutcome: "none",
    })
    .returning();
  if (!session) throw new Error("no session");
  const transactionId = await t.db.transaction(async (tx) =>
    transfer(
      tx,
      systemAccountId("payroll_expense", currency),
      await userAccount(tx, teacherId, TEACHER_EARNINGS, currency),
      Math.round((minutes / 60) * rateMinor),
      currency,
      {
        kind: EARNINGS_POST,
        description: "Session completed",
        reference: { type: "tutoring_session", id: session.id },
      },
    ),
  );
  const [txn] = await t.db
    .select({ createdAt: schema.ledgerTransactions.createdAt })
    .from(schema.ledgerTransactions)
    .where(eq(schema.ledgerTransactions.id, transactionId));
  if (!txn) throw new Error("no transaction");
  return txn.createdAt;
}

describe("teacher pay rates", () => {
  it("are set by admins for teachers only, creating the profile, audited with before and after", async () => {
    const teacher = await teacherNamed("Rate Teacher", "rate-teacher@example.com");
    const listed = await admin.agent.trpc.admin.teachers.list.query({ query: "rate-teacher" });
    expect(listed.items).toEqual([
      expect.objectContaining({ id: teacher.id, hourlyRateMinor: null, rateCurrency: null, sessionsCompleted: 0 }),
    ]);

    const first = await admin.agent.trpc.admin.teachers.setRate.mutate({
      teacherId: teacher.id,
      hourlyRateMinor: 2500,
      rateCurrency: "GBP",
    });
    expect(first).toMatchObject({ id: teacher.id, hourlyRateMinor: 2500, rateCurrency: "GBP" });
    const second = await admin.agent.trpc.admin.teachers.setRate.mutate({
      teacherId: teacher.id,
      hourlyRateMinor: 3000,
      rateCurrency: "GBP",
    });
    expect(second.hourlyRateMinor).toBe(3000);

    const audit = await t.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.targetId, teacher.id))
      .orderBy(schema.auditLog.createdAt);
    expect(audit.map((r) => [r.action, r.before, r.after])).toEqual([
      ["teacher.rate.set", null, { hourlyRateMinor: 2500, rateCurrency: "GBP" }],
      [
        "teacher.rate.set",
        { hourlyRateMinor: 2500, rateCurrency: "GBP" },
        { hourlyRateMinor: 3000, rateCurrency: "GBP" },
      ],
    ]);

    for (const teacherId of [learner.user.id, admin.user.id, crypto.randomUUID()]) {
      const error = await trpcError(
        admin.agent.trpc.admin.teachers.setRate.mutate({ teacherId, hourlyRateMinor: 1, rateCurrency: "USD" }),
      );
      expect(error).toMatchObject({ status: 404, appCode: "TEACHER_NOT_FOUND" });
    }
    for (const bad of [
      { hourlyRateMinor: -1, rateCurrency: "USD" },
      { hourlyRateMinor: 10.5, rateCurrency: "USD" },
      { hourlyRateMinor: 100, rateCurrency: "JPY" },
    ]) {
      const error = await trpcError(
        admin.agent.trpc.admin.teachers.setRate.mutate({
          teacherId: teacher.id,
          ...(bad as { hourlyRateMinor: number; rateCurrency: "USD" }),
        }),
      );
      expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
    const [profile] = await t.db
      .select()
      .from(schema.teacherProfiles)
      .where(eq(schema.teacherProfiles.userId, teacher.id));
    expect(profile).toMatchObject({ hourlyRateMinor: 3000, rateCurrency: "GBP" });
  });
});

describe("payroll", () => {
  let smith: { id: string };
  let ada: { id: string };
  let range: { from: Date; to: Date };

  beforeAll(async () => {
    smith = await teacherNamed('Smith, "Jo"', "smith@example.com");
    ada = await teacherNamed("Ada Lovelace", "ada@example.com");
    await admin.agent.trpc.admin.teachers.setRate.mutate({
      teacherId: smith.id,
      hourlyRateMinor: 3500,
      rateCurrency: "USD",
    });

    await paidSession(ada.id, 60, 2000, "USD"); // before the range
    const from = await paidSession(smith.id, 60, 3000, "USD"); // exactly at `from`: counted
    await paidSession(smith.id, 90, 3000, "USD");
    await paidSession(smith.id, 45, 3200, "USD");
    await paidSession(smith.id, 30, 500000, "NGN");
    await paidSession(ada.id, 120, 2000, "USD");
    const to = await paidSession(ada.id, 60, 2000, "USD"); // exactly at `to`: not counted
    range = { from, to };
  });

  it("sums each teacher's earnings postings per currency in [from, to), with sessions, hours and rates", async () => {
    const report = await admin.agent.trpc.admin.payroll.report.query(range);
    expect(report.rows).toEqual([
      {
        teacherId: ada.id,
        name: "Ada Lovelace",
        email: "ada@example.com",
        currency: "USD",
        sessions: 1,
        minutes: 120,
        hours: 2,
        bookedRatesMinor: [2000],
        currentRateMinor: null,
        currentRateCurrency: null,
        reversals: 0,
        reversedMinor: 0,
        owedMinor: 4000,
      },
      {
        teacherId: smith.id,
        name: 'Smith, "Jo"',
        email: "smith@example.com",
        currency: "NGN",
        sessions: 1,
        minutes: 30,
        hours: 0.5,
        bookedRatesMinor: [500000],
        currentRateMinor: 3500,
        currentRateCurrency: "USD",
        reversals: 0,
        reversedMinor: 0,
        owedMinor: 250000,
      },
      {
        teacherId: smith.id,
        name: 'Smith, "Jo"',
        email: "smith@example.com",
        currency: "USD",
        sessions: 3,
        minutes: 195,
        hours: 3.25,
        bookedRatesMinor: [3000, 3200],
        currentRateMinor: 3500,
        currentRateCurrency: "USD",
        reversals: 0,
        reversedMinor: 0,
        owedMinor: 3000 + 4500 + 2400,
      },
    ]);
    expect(report.totals).toEqual([
      {
        currency: "NGN",
        teachers: 1,
        sessions: 1,
        minutes: 30,
        hours: 0.5,
        reversals: 0,
        reversedMinor: 0,
        owedMinor: 250000,
      },
      {
        currency: "USD",
        teachers: 2,
        sessions: 4,
        minutes: 315,
        hours: 5.25,
        reversals: 0,
        reversedMinor: 0,
        owedMinor: 13900,
      },
    ]);

    // The whole history: the postings either side of the range count too.
    const all = await admin.agent.trpc.admin.payroll.report.query({
      from: new Date(range.from.getTime() - 60_000),
      to: new Date(range.to.getTime() + 1),
    });
    expect(all.rows.find((r) => r.teacherId === ada.id)).toMatchObject({ sessions: 3, owedMinor: 8000 });
    // An empty range is empty; a backwards one is refused.
    expect((await admin.agent.trpc.admin.payroll.report.query({ from: new Date(0), to: new Date(1) })).rows).toEqual(
      [],
    );
    expect(
      await trpcError(admin.agent.trpc.admin.payroll.report.query({ from: range.to, to: range.from })),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
  });

  it("exports the report as an RFC 4180 CSV with a header row and amounts in major units", async () => {
    const { filename, csv } = await admin.agent.trpc.admin.payroll.csv.query(range);
    expect(filename).toBe(
      `lectern-payroll-${range.from.toISOString().slice(0, 10)}-to-${range.to.toISOString().slice(0, 10)}.csv`,
    );
    expect(csv).toBe(
      [
        "Teacher,Email,Currency,Sessions,Hours,Hourly rates at booking,Reversals,Amount reversed,Amount owed",
        "Ada Lovelace,ada@example.com,USD,1,2.00,20.00,0,0.00,40.00",
        '"Smith, ""Jo""",smith@example.com,NGN,1,0.50,5000.00,0,0.00,2500.00',
        '"Smith, ""Jo""",smith@example.com,USD,3,3.25,30.00; 32.00,0,0.00,99.00',
        "",
      ].join("\r\n"),
    );
  });

  it("lists teachers with their rate and session counts", async () => {
    const listed = await admin.agent.trpc.admin.teachers.list.query({ query: "smith@" });
    expect(listed).toMatchObject({
      total: 1,
      items: [{ id: smith.id, name: 'Smith, "Jo"', hourlyRateMinor: 3500, rateCurrency: "USD", sessionsCompleted: 4 }],
    });
  });
});
