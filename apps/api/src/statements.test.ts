import { plainRow, runStatement, schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ALWAYS, grantCredits, person, setTeacherRate, slotIn } from "./modules/tutoring/testing.ts";
import { useTestApp } from "./testing/vitest.ts";

const t = await useTestApp();
const S = schema.tutoringSessions;

describe("plain named statements (packages/db/src/statements.ts)", () => {
  it("reads a whole row as the query builder does, bigint and timestamps included", async () => {
    const teacher = await person(t, "teacher");
    const learner = await person(t, "learner");
    await t.db.insert(schema.availabilityRules).values(ALWAYS.map((r) => ({ ...r, teacherId: teacher.user.id })));
    await setTeacherRate(t, teacher.user.id, 1_234_567, "EGP");
    await grantCredits(t, learner.user.id, 2);
    const { id } = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(48),
      durationMinutes: 60,
    });

    const row = plainRow(S, "s");
    const { rows } = await runStatement<Record<string, unknown>>(
      t.db,
      { name: "test_session_row", text: `select ${row.columns} from tutoring_sessions s where s.id = $1` },
      [id],
    );
    const [built] = await t.db.select().from(S).where(eq(S.id, id));
    expect(rows[0] && row.read(rows[0])).toEqual(built);
    expect(built?.hourlyRateMinor).toBe(1_234_567);
    expect(built?.startsAt).toBeInstanceOf(Date);
  });

  it("refuses a table with a column it has no plain mapping for, when the module loads", () => {
    // availability_overrides.date is a date read as text by the query builder, not by pg's parser.
    expect(() => plainRow(schema.availabilityOverrides)).toThrow(/date \(PgDateString\)/);
  });

  it("runs inside the caller's transaction, on its connection", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        const viaTx = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        const viaStatement = await runStatement<{ pid: number }>(
          tx,
          { name: "test_backend_pid", text: "select pg_backend_pid() as pid" },
          [],
        );
        expect(viaStatement.rows[0]?.pid).toBe(viaTx.rows[0]?.pid);
        await runStatement(
          tx,
          {
            name: "test_insert_rate_limit",
            text: "insert into request_rate_limits (key, window_started_at, count) values ($1, now(), 1)",
          },
          ["statements-test"],
        );
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const left = await t.db.execute(sql`select 1 from request_rate_limits where key = 'statements-test'`);
    expect(left.rows).toEqual([]);
  });
});
