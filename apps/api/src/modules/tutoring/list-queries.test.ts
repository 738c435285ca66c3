import { readFileSync } from "node:fs";
import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { runOnce, Logger as WorkerLogger } from "graphile-worker";
import { describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import { poolQueries } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import { AUTO_COMPLETE_TASK } from "./jobs.ts";
import { type Actor, autoCompleteSessions, bookSession, reportSession } from "./sessions.ts";
import { ALWAYS, grantCredits, type Person, person, setTeacherRate } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GRACE = TUTORING_POLICY.autoCompleteGraceMinutes * MINUTE;
const actorOf = (p: Person): Actor => ({ id: p.user.id, role: p.user.role });
const admin = await person(t, "admin");

/** `count` sessions of one teacher and learner, written directly, each ending `gapHours` before the previous. */
async function pastSessions(
  teacher: Person,
  learner: Person,
  count: number,
  status: "booked" | "completed",
  firstEnd = Date.now() - GRACE - HOUR,
  gapHours = 2,
) {
  const { rows } = await t.db.execute<{ id: string }>(sql`
    insert into tutoring_sessions
      (teacher_id, learner_id, starts_at, ends_at, duration_minutes, status, hourly_rate_minor, rate_currency, credit_outcome)
    select ${teacher.user.id}, ${learner.user.id}, e - interval '1 hour', e, 60, ${status}::tutoring_session_status,
      0, 'USD', 'none'
    from generate_series(0, ${count - 1}) g,
      lateral (select ${new Date(firstEnd).toISOString()}::timestamptz - g * ${gapHours} * interval '1 hour' as e) at
    returning id`);
  return rows.map((r) => r.id);
}

async function profileStats(teacherId: string) {
  const [row] = await t.db
    .select({ count: schema.teacherProfiles.ratingCount, sum: schema.teacherProfiles.ratingSum })
    .from(schema.teacherProfiles)
    .where(eq(schema.teacherProfiles.userId, teacherId));
  return row;
}

/** What the directory used to compute for every teacher on every page: the ratings on their sessions. */
async function sessionStats(teacherId: string) {
  const { rows } = await t.db.execute<{ count: number; sum: number }>(sql`
    select count(rating)::int as count, coalesce(sum(rating), 0)::int as sum
    from tutoring_sessions where teacher_id = ${teacherId}`);
  return rows[0];
}

describe("rating stats on the teacher's profile", () => {
  it("each rating adds to the teacher's count and sum in its transaction; the directory shows them as before", async () => {
    const tag = `rate${crypto.randomUUID().slice(0, 6)}`;
    // No profile row yet: the first rating creates it.
    const teacher = await person(t, "teacher", { name: `${tag} Teacher` });
    const [learnerA, learnerB] = [await person(t, "learner"), await person(t, "learner")];
    const [a1, a2] = await pastSessions(teacher, learnerA, 2, "completed");
    const [b1] = await pastSessions(teacher, learnerB, 1, "completed", Date.now() - 30 * 24 * HOUR);
    if (!a1 || !a2 || !b1) throw new Error("sessions missing");
    expect(await profileStats(teacher.user.id)).toBeUndefined();

    // Two learners rating at once both count.
    await Promise.all([
      learnerA.agent.trpc.tutoring.sessions.rate.mutate({ sessionId: a1, rating: 4 }),
      learnerB.agent.trpc.tutoring.sessions.rate.mutate({ sessionId: b1, rating: 5 }),
    ]);
    expect(await profileStats(teacher.user.id)).toEqual({ count: 2, sum: 9 });
    await learnerA.agent.trpc.tutoring.sessions.rate.mutate({ sessionId: a2, rating: 4, comment: "Good" });
    expect(await profileStats(teacher.user.id)).toEqual({ count: 3, sum: 13 });
    expect(await profileStats(teacher.user.id)).toEqual(await sessionStats(teacher.user.id));

    const listed = await learnerA.agent.trpc.tutoring.teachers.list.query({ query: tag });
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({ id: teacher.user.id, averageRating: 4.33, ratingsCount: 3 });
    expect(await learnerA.agent.trpc.tutoring.teachers.get.query({ teacherId: teacher.user.id })).toMatchObject({
      averageRating: 4.33,
      ratingsCount: 3,
    });

    // A completed session that moved no credit or pay can be deleted: its rating leaves the stats.
    await admin.agent.trpc.admin.sessions.delete.mutate({ sessionId: a2, reason: "Entered twice" });
    expect(await profileStats(teacher.user.id)).toEqual({ count: 2, sum: 9 });
    expect(await profileStats(teacher.user.id)).toEqual(await sessionStats(teacher.user.id));
    expect(await learnerA.agent.trpc.tutoring.teachers.get.query({ teacherId: teacher.user.id })).toMatchObject({
      averageRating: 4.5,
      ratingsCount: 2,
    });
  });

  it("a reversal keeps the session's rating, and the stats still match the sessions", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    await setTeacherRate(t, teacher.user.id, 3000, "EUR");
    const learner = await person(t, "learner");
    const bookedAt = new Date(Date.now() - 3 * 24 * HOUR);
    await grantCredits(t, learner.user.id, 1, bookedAt);
    const startsAt = new Date(Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR);
    const session = await bookSession(
      t.db,
      actorOf(learner),
      { teacherId: teacher.user.id, startsAt, durationMinutes: 60 },
      { now: bookedAt },
    );
    await reportSession(
      t.db,
      actorOf(teacher),
      { sessionId: session.id, message: "Done", comments: "", nextSteps: "" },
      { now: session.endsAt },
    );
    await learner.agent.trpc.tutoring.sessions.rate.mutate({ sessionId: session.id, rating: 2 });

    await admin.agent.trpc.admin.sessions.reverse.mutate({ sessionId: session.id, reason: "No lesson took place" });

    expect(await profileStats(teacher.user.id)).toMatchObject({ count: 1, sum: 2 });
    expect(await profileStats(teacher.user.id)).toEqual(await sessionStats(teacher.user.id));
  });
});

describe("the migration's backfill of rating stats", () => {
  it("sets every rated teacher's count and sum from their sessions, creating missing profiles", async () => {
    const [withProfile, withoutProfile] = [await person(t, "teacher"), await person(t, "teacher")];
    await setTeacherRate(t, withProfile.user.id, 1000);
    const learner = await person(t, "learner");
    const older = Date.now() - 900 * 24 * HOUR;
    for (const [teacher, end] of [
      [withProfile, older],
      [withoutProfile, older - 100 * 24 * HOUR],
    ] as const) {
      const ids = await pastSessions(teacher, learner, 3, "completed", end);
      await t.db.execute(sql`update tutoring_sessions set rating = 3 + (id = ${ids[0] ?? ""})::int
        where id in (${sql.join(
          ids.slice(0, 2).map((id) => sql`${id}`),
          sql`, `,
        )})`);
    }
    // Sessions rated before the stats existed: no profile row, or a profile with zeros.
    const backfill = readFileSync(
      new URL("../../../../../packages/db/migrations/0010_list_indexes.sql", import.meta.url),
      "utf8",
    )
      .split("--> statement-breakpoint")
      .find((statement) => statement.includes('INSERT INTO "teacher_profiles"'));
    if (!backfill) throw new Error("backfill statement missing");

    await t.db.execute(sql.raw(backfill));

    expect(await profileStats(withProfile.user.id)).toEqual({ count: 2, sum: 7 });
    expect(await profileStats(withoutProfile.user.id)).toEqual({ count: 2, sum: 7 });
    const [profile] = await t.db
      .select({ rate: schema.teacherProfiles.hourlyRateMinor })
      .from(schema.teacherProfiles)
      .where(eq(schema.teacherProfiles.userId, withProfile.user.id));
    expect(profile?.rate).toBe(1000);
  });
});

describe("automatic completion", () => {
  it("one run of the worker's task drains every due session, more than one batch of them", async () => {
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    const ids = await pastSessions(teacher, learner, 450, "booked");
    // Not yet due: ends within the grace period.
    const [fresh] = await pastSessions(teacher, learner, 1, "booked", Date.now() - MINUTE);
    await t.db.execute(sql`select graphile_worker.add_job(${AUTO_COMPLETE_TASK}, '{}'::json)`);

    await runOnce({
      pgPool: t.database.pool,
      logger: new WorkerLogger(() => () => {}),
      taskList: createTaskList({
        db: t.db,
        email: createEmailProvider({ EMAIL_FROM: "x@y.z" }, t.logger),
        logger: t.logger,
      }),
    });

    const { rows } = await t.db.execute<{ status: string; n: number }>(sql`
      select status, count(*)::int as n from tutoring_sessions where teacher_id = ${teacher.user.id}
      group by status order by status`);
    expect(rows).toEqual([
      { status: "booked", n: 1 },
      { status: "completed", n: ids.length },
    ]);
    const [still] = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.id, fresh ?? ""));
    expect(still?.status).toBe("booked");
  });

  it("reads in batches of the given size and passes a session another transaction holds once, then stops", async () => {
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    const far = Date.now() - 400 * 24 * HOUR;
    const [held, ...others] = await pastSessions(teacher, learner, 25, "booked", far);
    const now = { now: new Date(far + GRACE + HOUR) };
    let release = () => {};
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = t.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from tutoring_sessions where id = ${held ?? ""} for update`);
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await isLocked;

    const first = await autoCompleteSessions(t.db, now, 7);
    release();
    await holder;
    const second = await autoCompleteSessions(t.db, now, 7);

    expect(first).toEqual({ completed: others.length });
    expect(second).toEqual({ completed: 1 });
  });
});

describe("list totals", () => {
  it("come from the page when it is not full, and from a count when more rows may follow", async () => {
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    await pastSessions(teacher, learner, 3, "completed", Date.now() - 800 * 24 * HOUR);
    const list = (page: number) =>
      admin.agent.trpc.admin.sessions.list.query({ teacherId: teacher.user.id, page, pageSize: 2 });

    const pages = await Promise.all([list(1), list(2), list(3)]);

    expect(pages.map((p) => [p.items.length, p.total])).toEqual([
      [2, 3],
      [1, 3],
      [0, 3],
    ]);
  });
});

describe("list queries at scale", () => {
  it("reach tutoring_sessions, the ledger and the audit log through indexes, never a sequential scan", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    await setTeacherRate(t, teacher.user.id, 2000, "USD");
    const learner = await person(t, "learner");
    const bookedAt = new Date(Date.now() - 3 * 24 * HOUR);
    await grantCredits(t, learner.user.id, 2, bookedAt);
    const startsAt = new Date(Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR);
    const session = await bookSession(
      t.db,
      actorOf(learner),
      { teacherId: teacher.user.id, startsAt, durationMinutes: 60 },
      { now: bookedAt },
    );
    await reportSession(
      t.db,
      actorOf(teacher),
      { sessionId: session.id, message: "Done", comments: "", nextSteps: "" },
      { now: session.endsAt },
    );
    const page = { page: 1, pageSize: 20 };
    const calls: [Person, (p: Person) => Promise<unknown>][] = [
      [learner, (p) => p.agent.trpc.credits.balance.query()],
      [learner, (p) => p.agent.trpc.credits.history.query(page)],
      [teacher, (p) => p.agent.trpc.tutoring.earnings.query(page)],
      [learner, (p) => p.agent.trpc.tutoring.teachers.list.query({ query: "", ...page })],
      [learner, (p) => p.agent.trpc.tutoring.teachers.get.query({ teacherId: teacher.user.id })],
      [admin, (p) => p.agent.trpc.admin.sessions.list.query(page)],
      [admin, (p) => p.agent.trpc.admin.sessions.disputes.query({ state: "resolved", ...page })],
      [admin, (p) => p.agent.trpc.admin.credits.forLearner.query({ learnerId: learner.user.id, ...page })],
      [admin, (p) => p.agent.trpc.admin.audit.list.query(page)],
      [
        admin,
        (p) =>
          p.agent.trpc.admin.payroll.report.query({
            from: new Date(Date.now() - 30 * 24 * HOUR),
            to: new Date(Date.now() + HOUR),
          }),
      ],
    ];

    const statements = await captureSelects(async () => {
      for (const [who, call] of calls) await call(who);
    });
    const scans: string[] = [];
    const client = await t.database.pool.connect();
    try {
      // With sequential scans priced out, the planner still picks one only where no index can serve.
      await client.query("set enable_seqscan = off");
      for (const statement of statements) {
        const plan = await client.query<Record<string, string>>(`explain ${statement.text}`, statement.values);
        for (const row of plan.rows) {
          const line = row["QUERY PLAN"] ?? "";
          if (/Seq Scan on (tutoring_sessions|ledger_transactions|ledger_entries|audit_log) /.test(line))
            scans.push(`${line.trim()} in ${statement.text.replace(/\s+/g, " ").slice(0, 160)}`);
        }
      }
    } finally {
      await client.query("reset enable_seqscan");
      client.release();
    }

    expect(statements.length).toBeGreaterThan(10);
    expect(scans).toEqual([]);
  });
});

describe("the session list page", () => {
  it("comes with its total in one statement that cuts the page before joining teachers and learners", async () => {
    // Users enough that hashing the whole table would be the planner's choice for a join before the limit.
    await t.db.execute(sql`
      insert into users (id, name, email, email_verified, role, timezone)
      select 'many-' || g, 'Many ' || g, 'many-' || g || '@example.test', true, 'learner', 'UTC'
      from generate_series(1, 3000) g`);
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    await pastSessions(teacher, learner, 30, "booked", Date.now() + 30 * 24 * HOUR);
    await t.db.execute(sql`analyze users`);
    await t.db.execute(sql`analyze tutoring_sessions`);

    const statements = await captureSelects(async () => {
      const page = await learner.agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 });
      expect([page.items.length, page.total]).toEqual([20, 30]);
    });
    // A full page and its total in one statement: no count after it.
    expect(statements).toHaveLength(1);
    const [list] = statements;
    const plan = await t.database.pool.query<Record<string, string>>(`explain ${list?.text}`, list?.values);
    const lines = plan.rows.map((r) => r["QUERY PLAN"] ?? "");
    // The plan under the Limit node: what Postgres reads and sorts before it cuts the page.
    const limitAt = lines.findIndex((line) => /^\s*(->\s+)?Limit\b/.test(line));
    const depth = (line: string) => line.search(/\S/);
    const end = lines.findIndex((line, i) => i > limitAt && depth(line) <= depth(lines[limitAt] ?? ""));
    const beforeLimit = lines.slice(limitAt + 1, end === -1 ? undefined : end);

    expect(limitAt).toBeGreaterThan(-1);
    expect(beforeLimit.filter((line) => / on (users|onboarding_answers) /.test(line))).toEqual([]);
  });
});

/** The selects the API sends while `work` runs, but the session lookup's. */
async function captureSelects(work: () => Promise<void>) {
  const sent = await poolQueries(t.database.pool, work);
  return sent.filter(({ text }) => /^\s*(select|with)\b/i.test(text) && !text.includes("auth_sessions"));
}
