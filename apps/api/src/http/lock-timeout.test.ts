import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { ALWAYS, creditBalance, grantCredits, ledgerInvariants, person, slotIn } from "../modules/tutoring/testing.ts";
import { trpcError } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

// A short lock timeout so the test does not wait the default 5 s.
const t = await useTestApp({ DATABASE_LOCK_TIMEOUT_MS: "300" });

const _HOUR = 60 * 60 * 1000;

describe("database pool settings", () => {
  it("sets the configured timeouts on every connection", async () => {
    const { rows } = await t.database.pool.query<Record<string, string>>(
      "select current_setting('statement_timeout') as statement, current_setting('lock_timeout') as lock, current_setting('idle_in_transaction_session_timeout') as idle",
    );
    expect(rows[0]).toEqual({ statement: "15s", lock: "300ms", idle: "30s" });
  });

  it("answers a row lock held too long with a retryable 409 LOCK_TIMEOUT, and writes nothing", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(48),
      durationMinutes: 60,
    });
    const balance = await creditBalance(t, learner.user.id);

    // Another connection holds the learner's credit accounts, which a free cancellation credits back
    // after it has already marked the session cancelled in the same transaction.
    const holder = new pg.Client({ connectionString: t.env.DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query(
        `select a.id from ledger_accounts a join credit_lots cl on cl.account_id = a.id
         where cl.learner_id = $1 for update of a`,
        [learner.user.id],
      );
      expect(await trpcError(learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id }))).toEqual(
        expect.objectContaining({ status: 409, appCode: "LOCK_TIMEOUT" }),
      );
    } finally {
      await holder.query("rollback");
      await holder.end();
    }

    // Nothing half-written: still booked, the credit still reserved, the ledger sound.
    const [row] = await t.db
      .select({ status: schema.tutoringSessions.status, creditOutcome: schema.tutoringSessions.creditOutcome })
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.id, session.id));
    expect(row).toEqual({ status: "booked", creditOutcome: "reserved" });
    expect(await creditBalance(t, learner.user.id)).toBe(balance);
    const invariants = await ledgerInvariants(t);
    expect(invariants.unbalanced).toEqual([]);
    expect(invariants.drift).toEqual([]);

    // Once the lock is gone, the same call goes through.
    expect(await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id })).toMatchObject({
      status: "cancelled",
    });
    expect(await creditBalance(t, learner.user.id)).toBe(balance + 1);
  });
});
