import { IDEMPOTENT_PROCEDURES } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, count, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import { type AppRouter, appRouter } from "../../router.ts";
import { type Agent, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { idempotent } from "../../trpc.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import {
  ALWAYS,
  creditBalance,
  grantCredits,
  ledgerInvariants,
  type Person,
  person,
  slotIn,
} from "../tutoring/testing.ts";
import { PURGE_IDEMPOTENCY_KEYS_TASK } from "./jobs.ts";

const t = await useTestApp();

/** The agent's browser sending this Idempotency-Key on every call, as the apps' link does per user action. */
function withKey(agent: Agent, key: string) {
  let replayed = false;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { "idempotency-key": key },
        fetch: async (input, init) => {
          const response = await agent.fetch(String(input), init as RequestInit);
          replayed = response.headers.get("idempotent-replayed") === "true";
          return response;
        },
      }),
    ],
  });
  return { trpc: client, wasReplayed: () => replayed };
}

const newKey = () => `key-${crypto.randomUUID()}`;

let teacher: Person;
beforeAll(async () => {
  teacher = await person(t, "teacher");
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
});

async function learnerWithCredits(credits: number) {
  const learner = await person(t, "learner");
  if (credits > 0) await grantCredits(t, learner.user.id, credits);
  return learner;
}

const sessionsOf = async (learnerId: string) =>
  (
    await t.db
      .select({ value: count() })
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.learnerId, learnerId))
  )[0]?.value ?? 0;

const ledgerTransactions = async () =>
  Number((await t.db.execute<{ n: string }>(sql`select count(*)::text as n from ledger_transactions`)).rows[0]?.n);

const keyRows = (userId: string) =>
  t.db.select().from(schema.idempotencyKeys).where(eq(schema.idempotencyKeys.userId, userId));

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

describe("Idempotency-Key on money-moving mutations", () => {
  it("a retry replays the first response: one booking, one credit moved, even after the session changed", async () => {
    const learner = await learnerWithCredits(2);
    const client = withKey(learner.agent, newKey());
    const input = { teacherId: teacher.user.id, startsAt: slotIn(30), durationMinutes: 60 as const };

    const first = await client.trpc.tutoring.sessions.book.mutate(input);
    expect(client.wasReplayed()).toBe(false);
    const transactions = await ledgerTransactions();
    const retry = await client.trpc.tutoring.sessions.book.mutate(input);
    expect(client.wasReplayed()).toBe(true);
    expect(retry).toEqual(first);
    expect(retry.startsAt).toBeInstanceOf(Date);
    expect(await sessionsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    expect(await ledgerTransactions()).toBe(transactions);

    // The stored response is what the first request answered, not the session's state now.
    await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: first.id });
    const later = await client.trpc.tutoring.sessions.book.mutate(input);
    expect(later).toEqual(first);
    expect(later.status).toBe("booked");
    expect(await sessionsOf(learner.user.id)).toBe(1);
    await expectLedgerSound();
  });

  it("a duplicate sent while the first is still running gets 409 IDEMPOTENCY_IN_PROGRESS and changes nothing", async () => {
    const learner = await learnerWithCredits(2);
    const key = newKey();
    const input = { teacherId: teacher.user.id, startsAt: slotIn(40), durationMinutes: 60 as const };
    // Hold the first request inside its transaction: no session can be inserted until we let go.
    const blocker = await t.database.pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("lock table tutoring_sessions in share mode");
      const first = withKey(learner.agent, key).trpc.tutoring.sessions.book.mutate(input);
      await expect.poll(async () => (await keyRows(learner.user.id)).length, { timeout: 4000 }).toBe(1);

      const duplicate = await trpcError(withKey(learner.agent, key).trpc.tutoring.sessions.book.mutate(input));
      expect(duplicate).toMatchObject({ appCode: "IDEMPOTENCY_IN_PROGRESS", status: 409 });

      await blocker.query("commit");
      const booked = await first;
      expect(await withKey(learner.agent, key).trpc.tutoring.sessions.book.mutate(input)).toEqual(booked);
    } finally {
      await blocker.query("rollback").catch(() => {});
      blocker.release();
    }
    expect(await sessionsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
  });

  it("five concurrent calls with one key make one booking; the others wait (409) or replay it", async () => {
    const learner = await learnerWithCredits(5);
    const client = withKey(learner.agent, newKey());
    const input = { teacherId: teacher.user.id, startsAt: slotIn(44), durationMinutes: 60 as const };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.trpc.tutoring.sessions.book.mutate(input)),
    );
    const booked = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : []));
    expect(booked.length).toBeGreaterThanOrEqual(1);
    expect(new Set(booked).size).toBe(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect(await trpcError(Promise.reject(r.reason))).toMatchObject({ appCode: "IDEMPOTENCY_IN_PROGRESS" });
    expect(await sessionsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
  });

  it("the same key with another body or on another procedure gets 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const learner = await learnerWithCredits(3);
    const client = withKey(learner.agent, newKey());
    const booked = await client.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(50),
    });

    const otherBody = await trpcError(
      client.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(52) }),
    );
    expect(otherBody).toMatchObject({ appCode: "IDEMPOTENCY_KEY_REUSED", status: 422 });
    const otherProcedure = await trpcError(client.trpc.tutoring.sessions.cancel.mutate({ sessionId: booked.id }));
    expect(otherProcedure).toMatchObject({ appCode: "IDEMPOTENCY_KEY_REUSED", status: 422 });

    expect(await sessionsOf(learner.user.id)).toBe(1);
    const [row] = await t.db.select().from(schema.tutoringSessions).where(eq(schema.tutoringSessions.id, booked.id));
    expect(row?.status).toBe("booked");
  });

  it("one user's key never affects another's: the same key books for each", async () => {
    const key = newKey();
    const a = await learnerWithCredits(1);
    const b = await learnerWithCredits(1);
    const startsAt = slotIn(60);
    const forA = await withKey(a.agent, key).trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt,
    });
    const forB = await withKey(b.agent, key).trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: new Date(startsAt.getTime() + 2 * 60 * 60_000),
    });
    expect(forB.id).not.toBe(forA.id);
    expect(await sessionsOf(a.user.id)).toBe(1);
    expect(await sessionsOf(b.user.id)).toBe(1);
  });

  it("an expired key is a new key: the request runs again", async () => {
    const learner = await learnerWithCredits(2);
    const client = withKey(learner.agent, newKey());
    await client.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(70) });
    const [row] = await keyRows(learner.user.id);
    // Kept at least a day.
    expect(row && row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(24 * 60 * 60_000);
    await t.db
      .update(schema.idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.idempotencyKeys.userId, learner.user.id));

    await client.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(74) });
    expect(client.wasReplayed()).toBe(false);
    expect(await sessionsOf(learner.user.id)).toBe(2);
    expect(await creditBalance(t, learner.user.id)).toBe(0);
  });

  it("a failed first attempt releases its key: the retry runs again and can succeed", async () => {
    const learner = await learnerWithCredits(0);
    const client = withKey(learner.agent, newKey());
    const input = { teacherId: teacher.user.id, startsAt: slotIn(80) };
    expect(await trpcError(client.trpc.tutoring.sessions.book.mutate(input))).toMatchObject({ appCode: "NO_CREDITS" });
    expect(await keyRows(learner.user.id)).toEqual([]);

    await grantCredits(t, learner.user.id, 1);
    await client.trpc.tutoring.sessions.book.mutate(input);
    expect(await sessionsOf(learner.user.id)).toBe(1);
  });

  it("without a key a mutation works as before and stores nothing; a malformed key is a 400", async () => {
    const learner = await learnerWithCredits(2);
    await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(90) });
    expect(await keyRows(learner.user.id)).toEqual([]);

    for (const bad of ["short", "has spaces in it", "x".repeat(129), "key/with/a/slash"]) {
      const refused = await trpcError(
        withKey(learner.agent, bad).trpc.tutoring.sessions.book.mutate({
          teacherId: teacher.user.id,
          startsAt: slotIn(94),
        }),
      );
      expect(refused).toMatchObject({ appCode: "IDEMPOTENCY_KEY_INVALID", status: 400 });
    }
    expect(await sessionsOf(learner.user.id)).toBe(1);
  });

  it("an admin's credit grant retried with its key grants once", async () => {
    const admin = await person(t, "admin");
    const learner = await learnerWithCredits(0);
    const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Four", sessions: 4 });
    const client = withKey(admin.agent, newKey());
    const first = await client.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id });
    const retry = await client.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id });
    expect(retry).toEqual(first);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    const grants = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "credit.grant"), eq(schema.auditLog.targetId, learner.user.id)));
    expect(grants).toHaveLength(1);
    await expectLedgerSound();
  });

  it("an admin's session creation and cancellation retried with their keys happen once", async () => {
    const admin = await person(t, "admin");
    const learner = await learnerWithCredits(1);
    const create = withKey(admin.agent, newKey());
    const input = {
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(120),
      durationMinutes: 60 as const,
    };
    const created = await create.trpc.admin.sessions.create.mutate(input);
    expect(await create.trpc.admin.sessions.create.mutate(input)).toEqual(created);
    expect(await sessionsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(0);

    const cancel = withKey(admin.agent, newKey());
    const cancelInput = { sessionId: created.id, reason: "teacher ill" };
    const cancelled = await cancel.trpc.admin.sessions.cancel.mutate(cancelInput);
    expect(await cancel.trpc.admin.sessions.cancel.mutate(cancelInput)).toEqual(cancelled);
    expect(cancel.wasReplayed()).toBe(true);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
    await expectLedgerSound();
  });

  it("holds across API processes on one database: process B replays what process A answered", async () => {
    const processB = t.instance();
    const learner = await learnerWithCredits(2);
    const key = newKey();
    const input = { teacherId: teacher.user.id, startsAt: slotIn(100) };
    const onA = await withKey(learner.agent, key).trpc.tutoring.sessions.book.mutate(input);
    const viaB = withKey(learner.agent.with({ target: processB.app }), key);
    expect(await viaB.trpc.tutoring.sessions.book.mutate(input)).toEqual(onA);
    expect(viaB.wasReplayed()).toBe(true);
    expect(
      await trpcError(viaB.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(104) })),
    ).toMatchObject({ appCode: "IDEMPOTENCY_KEY_REUSED" });
    expect(await sessionsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(1);
  });

  it("the hourly job deletes expired keys and keeps live ones", async () => {
    const learner = await learnerWithCredits(2);
    await withKey(learner.agent, newKey()).trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(110),
    });
    const live = newKey();
    await withKey(learner.agent, live).trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(114),
    });
    await t.db
      .update(schema.idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(schema.idempotencyKeys.userId, learner.user.id), sql`${schema.idempotencyKeys.key} <> ${live}`));

    const tasks = createTaskList({
      db: t.db,
      email: createEmailProvider({ EMAIL_FROM: "x@y.z" }, t.logger),
      logger: t.logger,
    });
    await tasks[PURGE_IDEMPOTENCY_KEYS_TASK]?.({}, {} as never);
    expect((await keyRows(learner.user.id)).map((r) => r.key)).toEqual([live]);
  });
});

describe("which mutations take a key", () => {
  it("the contract's IDEMPOTENT_PROCEDURES (what the apps retry) are exactly the procedures using `idempotent`", () => {
    const marker = (idempotent as unknown as { _middlewares: unknown[] })._middlewares[0];
    const procedures = Object.entries(
      (appRouter._def as unknown as { procedures: Record<string, { _def: { middlewares: unknown[] } }> }).procedures,
    );
    const using = procedures.filter(([, p]) => p._def.middlewares.includes(marker)).map(([path]) => path);
    expect(using.sort()).toEqual([...IDEMPOTENT_PROCEDURES].sort());
  });
});
