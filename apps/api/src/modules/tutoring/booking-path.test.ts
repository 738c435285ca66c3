import { sql } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "./testing.ts";

const t = await useTestApp();

/** The statements Postgres receives while `run` goes (observed on the real client, not mocked). */
async function statementsDuring(run: () => Promise<unknown>) {
  const seen: string[] = [];
  const query = pg.Client.prototype.query;
  const counting = function (this: pg.Client, ...args: Parameters<typeof query>) {
    const [q] = args as unknown[];
    seen.push(
      String(typeof q === "string" ? q : (q as { text?: string })?.text)
        .replace(/\s+/g, " ")
        .slice(0, 80),
    );
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counting as typeof query;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = query;
  }
  return seen;
}

describe("the booking path", () => {
  it("is at most 11 round trips to Postgres (session, rate limit, teacher with calendar, the transaction's 7, commit), emails left to a job", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 3);
    // The first booking also opens the learner's held-credit account.
    await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(30) });
    const startsAt = slotIn(40);
    let view: Awaited<ReturnType<typeof learner.agent.trpc.tutoring.sessions.book.mutate>> | undefined;
    const statements = await statementsDuring(async () => {
      view = await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt });
    });
    expect(statements.length, statements.join("\n")).toBeLessThanOrEqual(11);
    expect(statements.filter((s) => /email_outbox/.test(s))).toEqual([]);
    // The response is still the learner's full view of the session, built without reading it back.
    expect(view).toMatchObject({
      startsAt,
      status: "booked",
      credits: 1,
      viewerRole: "learner",
      teacher: { id: teacher.user.id, name: teacher.user.name },
      learner: { id: learner.user.id, name: learner.user.name },
      learnerOnboarding: null,
    });
    expect(await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: view?.id ?? "" })).toEqual(view);
  });
});

describe("overlapping bookings", () => {
  it("a booking that deadlocks with another writer in the no-overlap check is refused with 409 SLOT_TAKEN, not CONFLICT", async () => {
    const [teacher, otherTeacher] = [await person(t, "teacher"), await person(t, "teacher")];
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    const otherLearner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    const startsAt = slotIn(50);
    const endsAt = new Date(startsAt.getTime() + 60 * 60_000);
    const insertSession = (teacherId: string, learnerId: string) =>
      other.query(
        `insert into tutoring_sessions (teacher_id, learner_id, starts_at, ends_at, duration_minutes, hourly_rate_minor,
          rate_currency, credit_outcome, credits) values ($1, $2, $3, $4, 60, 0, 'USD', 'none', 0)`,
        [teacherId, learnerId, startsAt, endsAt],
      );
    // Another writer's unfinished transaction holds the learner's hour with another teacher...
    const other = await t.database.pool.connect();
    try {
      await other.query("begin");
      await insertSession(otherTeacher.user.id, learner.user.id);
      // ...so the booking waits for it in the learner's no-overlap check (its entry in the teacher's
      // index, checked first, already written)...
      const booking = trpcError(
        learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt }),
      );
      for (let waiting = false; !waiting; ) {
        const { rows } = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like 'insert into tutoring_sessions%'`);
        waiting = (rows[0]?.n ?? 0) > 0;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // ...and then writes the teacher's same hour (for another learner), waiting for the booking in turn.
      // The booking waited first, so Postgres's deadlock check fails it (after deadlock_timeout).
      await insertSession(teacher.user.id, otherLearner.user.id);
      expect(await booking).toMatchObject({ status: 409, appCode: "SLOT_TAKEN" });
    } finally {
      await other.query("rollback");
      other.release();
    }
    // Nothing of the refused booking stayed: the credits are all there.
    expect(await learner.agent.trpc.credits.balance.query()).toMatchObject({ totalAvailable: 2 });
  });
});
