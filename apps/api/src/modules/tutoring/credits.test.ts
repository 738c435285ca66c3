import { TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createCronItems, createTaskList } from "../../jobs/tasks.ts";
import { signedInAs, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { CREDIT, systemAccountId } from "../ledger/accounts.ts";
import { reserveCredit, returnCredit } from "../ledger/recipes.ts";
import { balanceDrift, post, unbalancedTransactions } from "../ledger/service.ts";
import { expireCreditLots, openCreditLot } from "./credits.ts";

const t = await useTestApp();

type Person = Awaited<ReturnType<typeof signedInAs>>;
let admin: Person;
let learner: Person;
let teacher: Person;

beforeAll(async () => {
  [admin, learner, teacher] = await Promise.all([
    signedInAs(t, "admin"),
    signedInAs(t, "learner"),
    signedInAs(t, "teacher"),
  ]);
});

const DAY = 24 * 60 * 60 * 1000;

const auditRows = (action: string) => t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));

/** The ledger's own invariants: cached balances equal their entries, every transaction sums to zero. */
async function expectLedgerSound() {
  expect(await balanceDrift(t.db)).toEqual([]);
  expect(await unbalancedTransactions(t.db)).toEqual([]);
  // Credits are only ever moved, never made or lost: users' CREDIT balances and the system
  // accounts' nets (their entries: system balances are not cached) together are zero.
  const { rows } = await t.db.execute<{ total: string }>(sql`
    select (coalesce((select sum(balance) from ledger_accounts where currency = ${CREDIT} and owner_id is not null), 0)
      + coalesce((select sum(e.amount) from ledger_entries e join ledger_accounts a on a.id = e.account_id
          where a.currency = ${CREDIT} and a.owner_id is null), 0))::text as total`);
  expect(rows[0]?.total).toBe("0");
}

/** A system account's net: the sum of its entries (system balances are not cached). */
const platformBalance = async (kind: "credit_expired" | "credit_issuance") => {
  const [row] = await t.db
    .select({ net: sql<string>`coalesce(sum(${schema.ledgerEntries.amount}), 0)::text` })
    .from(schema.ledgerEntries)
    .where(eq(schema.ledgerEntries.accountId, systemAccountId(kind, CREDIT)));
  return Number(row?.net ?? 0);
};

describe("credit packs", () => {
  it("are created by admins with the policy's defaults, and refused outside the policy", async () => {
    const pack = await admin.agent.trpc.admin.packs.create.mutate({
      name: "Starter",
      sessions: 4,
      prices: { USD: 9900 },
    });
    expect(pack).toMatchObject({
      name: "Starter",
      sessions: 4,
      sessionMinutes: TUTORING_POLICY.defaultSessionMinutes,
      validityDays: TUTORING_POLICY.defaultPackValidityDays,
      prices: { USD: 9900 },
      active: true,
    });
    const [audit] = (await auditRows("credit_pack.create")).filter((r) => r.targetId === pack.id);
    expect(audit).toMatchObject({ actorId: admin.user.id, targetType: "credit_pack", after: { name: "Starter" } });

    for (const bad of [
      { name: "Odd length", sessions: 4, sessionMinutes: 50 },
      { name: "Negative", sessions: 4, prices: { USD: -1 } },
      { name: "Fractional", sessions: 4, prices: { EUR: 12.5 } },
      { name: "Unknown currency", sessions: 4, prices: { JPY: 100 } },
      { name: "Empty", sessions: 0 },
      { name: "   ", sessions: 4 },
    ]) {
      const error = await trpcError(admin.agent.trpc.admin.packs.create.mutate(bad as never));
      expect(error, bad.name).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
  });

  it("are updated and deactivated, never deleted: learners see only active ones, old lots keep their terms", async () => {
    const pack = await admin.agent.trpc.admin.packs.create.mutate({
      name: "Twelve",
      sessions: 12,
      sessionMinutes: 45,
      validityDays: 120,
      prices: { USD: 24000, NGN: 1200000 },
    });
    const lot = await admin.agent.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id });

    const updated = await admin.agent.trpc.admin.packs.update.mutate({
      packId: pack.id,
      name: "Twelve (new)",
      sessions: 10,
      sessionMinutes: 45,
      validityDays: 120,
      prices: { USD: 22000 },
    });
    expect(updated).toMatchObject({ name: "Twelve (new)", sessions: 10, prices: { USD: 22000 } });
    const [audit] = (await auditRows("credit_pack.update")).filter((r) => r.targetId === pack.id);
    expect(audit).toMatchObject({
      before: { name: "Twelve", sessions: 12, prices: { USD: 24000, NGN: 1200000 } },
      after: { name: "Twelve (new)", sessions: 10, prices: { USD: 22000 } },
    });
    const balance = await learner.agent.trpc.credits.balance.query();
    expect(balance.lots.find((l) => l.id === lot.id)).toMatchObject({ sessions: 12, remaining: 12 });

    expect((await learner.agent.trpc.credits.packs.query()).map((p) => p.id)).toContain(pack.id);
    await admin.agent.trpc.admin.packs.setActive.mutate({ packId: pack.id, active: false });
    expect((await learner.agent.trpc.credits.packs.query()).map((p) => p.id)).not.toContain(pack.id);
    const listed = (await admin.agent.trpc.admin.packs.list.query()).find((p) => p.id === pack.id);
    expect(listed).toMatchObject({ active: false, lotsGranted: 1 });
    expect(await auditRows("credit_pack.deactivate")).toHaveLength(1);

    // A retired pack is not granted; reactivated, it is.
    expect(
      await trpcError(admin.agent.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id })),
    ).toMatchObject({ status: 404, appCode: "PACK_NOT_FOUND" });
    await admin.agent.trpc.admin.packs.setActive.mutate({ packId: pack.id, active: true });
    expect(await auditRows("credit_pack.activate")).toHaveLength(1);

    expect(
      await trpcError(admin.agent.trpc.admin.packs.setActive.mutate({ packId: crypto.randomUUID(), active: false })),
    ).toMatchObject({ status: 404, appCode: "PACK_NOT_FOUND" });
  });
});

describe("granting a pack", () => {
  it("opens a lot the learner sees with its expiry, records the grant in their history, and is audited", async () => {
    const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Grant me", sessions: 4, validityDays: 30 });
    const issuedBefore = await platformBalance("credit_issuance");
    const before = Date.now();
    const lot = await admin.agent.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: pack.id });
    expect(lot).toMatchObject({ packId: pack.id, packName: "Grant me", sessions: 4, remaining: 4, expired: false });
    expect(lot.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(lot.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY);
    expect(await platformBalance("credit_issuance")).toBe(issuedBefore - 4);

    const balance = await learner.agent.trpc.credits.balance.query();
    expect(balance.lots.find((l) => l.id === lot.id)).toEqual(lot);
    expect(balance.totalAvailable).toBe(balance.lots.reduce((sum, l) => sum + l.remaining, 0));

    const history = await learner.agent.trpc.credits.history.query({});
    expect(history.items[0]).toMatchObject({
      kind: "credit.grant",
      description: "Grant me: 4 session credits",
      amount: 4,
      credits: 4,
      lotId: lot.id,
      packName: "Grant me",
      reference: { type: "credit_lot", id: lot.id },
    });

    const [audit] = (await auditRows("credit.grant")).filter(
      (r) => (r.after as { lotId?: string } | null)?.lotId === lot.id,
    );
    expect(audit).toMatchObject({
      actorId: admin.user.id,
      targetType: "user",
      targetId: learner.user.id,
      after: { packId: pack.id, sessions: 4 },
    });

    // The admin's view of the learner is the learner's own.
    const seen = await admin.agent.trpc.admin.credits.forLearner.query({ learnerId: learner.user.id });
    expect(seen.learner).toMatchObject({ id: learner.user.id, role: "learner" });
    expect(seen.balance).toEqual(await learner.agent.trpc.credits.balance.query());
    expect(seen.history).toEqual(await learner.agent.trpc.credits.history.query({}));
    await expectLedgerSound();
  });

  it("is refused for teachers, admins and unknown users, and for unknown packs, writing nothing", async () => {
    const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Refused", sessions: 4 });
    const count = async () => ({
      lots: (await t.db.select().from(schema.creditLots)).length,
      entries: (await t.db.select().from(schema.ledgerEntries)).length,
      audit: (await auditRows("credit.grant")).length,
    });
    const before = await count();
    for (const learnerId of [teacher.user.id, admin.user.id, crypto.randomUUID()]) {
      expect(
        await trpcError(admin.agent.trpc.admin.credits.grant.mutate({ learnerId, packId: pack.id })),
      ).toMatchObject({ status: 404, appCode: "LEARNER_NOT_FOUND" });
    }
    expect(
      await trpcError(
        admin.agent.trpc.admin.credits.grant.mutate({ learnerId: learner.user.id, packId: crypto.randomUUID() }),
      ),
    ).toMatchObject({ status: 404, appCode: "PACK_NOT_FOUND" });
    expect(
      await trpcError(admin.agent.trpc.admin.credits.forLearner.query({ learnerId: crypto.randomUUID() })),
    ).toMatchObject({ status: 404, appCode: "LEARNER_NOT_FOUND" });
    expect(await count()).toEqual(before);
  });

  it("pages the history newest first without overlap", async () => {
    const pack = await admin.agent.trpc.admin.packs.create.mutate({ name: "Pager", sessions: 1 });
    const other = await signedInAs(t, "learner");
    for (let i = 0; i < 5; i++)
      await admin.agent.trpc.admin.credits.grant.mutate({ learnerId: other.user.id, packId: pack.id });
    const pages = await Promise.all(
      [1, 2, 3].map((page) => other.agent.trpc.credits.history.query({ page, pageSize: 2 })),
    );
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.every((p) => p.total === 5)).toBe(true);
    const all = pages.flatMap((p) => p.items);
    expect(new Set(all.map((i) => i.transactionId)).size).toBe(5);
    const times = all.map((i) => i.createdAt.getTime());
    expect(times.every((time) => Math.abs(Date.now() - time) < 60_000)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

describe("credit expiry", () => {
  /** A learner with a lot granted `daysAgo` days ago for `validityDays`, one credit of it booked. */
  async function learnerWithOldLot(daysAgo: number, validityDays: number, sessions = 4) {
    const owner = await signedInAs(t, "learner");
    const lot = await t.db.transaction(async (tx) => {
      const lot = await openCreditLot(tx, {
        learnerId: owner.user.id,
        sessions,
        validityDays,
        now: new Date(Date.now() - daysAgo * DAY),
      });
      // One credit reserved for a session (as booking does): it is not the lot's any more.
      await post(
        tx,
        reserveCredit(
          { learnerId: owner.user.id, lotAccountId: lot.accountId, credits: 1 },
          { description: "Session booked" },
        ),
      );
      return lot;
    });
    return { owner, lot };
  }

  it("empties a lot past its expiry into credit_expired exactly once, even with two sweeps at once", async () => {
    const { owner, lot } = await learnerWithOldLot(100, 90);
    const fresh = await t.db.transaction((tx) =>
      openCreditLot(tx, { learnerId: owner.user.id, sessions: 2, validityDays: 90 }),
    );
    const expiredBefore = await platformBalance("credit_expired");

    const now = new Date();
    const [a, b] = await Promise.all([expireCreditLots(t.db, { now }), expireCreditLots(t.db, { now })]);
    expect(a.lots + b.lots).toBe(1);
    expect(a.credits + b.credits).toBe(3);
    expect(await expireCreditLots(t.db, { now })).toEqual({ lots: 0, credits: 0 });
    expect(await platformBalance("credit_expired")).toBe(expiredBefore + 3);

    const balance = await owner.agent.trpc.credits.balance.query();
    expect(balance.lots.find((l) => l.id === lot.id)).toMatchObject({
      remaining: 0,
      expired: true,
      expiredAt: now,
    });
    expect(balance.lots.find((l) => l.id === fresh.id)).toMatchObject({ remaining: 2, expired: false });
    expect(balance.totalAvailable).toBe(2);

    const history = await owner.agent.trpc.credits.history.query({});
    expect(history.items.map((i) => [i.kind, i.amount])).toEqual([
      ["credit.expire", -3],
      ["credit.grant", 2],
      ["credit.reserve", -1],
      ["credit.grant", 4],
    ]);
    expect(history.items[0]).toMatchObject({ lotId: lot.id, reference: { type: "credit_lot", id: lot.id } });

    const audit = (await auditRows("credit.expire")).filter((r) => r.targetId === owner.user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: null, before: { lotId: lot.id, remaining: 3 }, after: { remaining: 0 } });
    await expectLedgerSound();
  });

  it("expires a refund that lands in an already expired lot at the next sweep", async () => {
    const { owner, lot } = await learnerWithOldLot(100, 90);
    const firstSweep = new Date();
    await expireCreditLots(t.db, { now: firstSweep });

    // The booked session is cancelled by its teacher: the credit goes back to its (expired) lot.
    await t.db.transaction(async (tx) =>
      post(
        tx,
        returnCredit(
          { learnerId: owner.user.id, lotAccountId: lot.accountId, credits: 1 },
          { description: "Session cancelled by the teacher" },
        ),
      ),
    );
    expect((await owner.agent.trpc.credits.balance.query()).lots[0]).toMatchObject({ remaining: 1, expired: true });
    expect((await owner.agent.trpc.credits.balance.query()).totalAvailable).toBe(0);

    expect(await expireCreditLots(t.db, { now: new Date(firstSweep.getTime() + 60_000) })).toMatchObject({
      credits: 1,
    });
    const [row] = await t.db.select().from(schema.creditLots).where(eq(schema.creditLots.id, lot.id));
    // expiredAt keeps the first expiry.
    expect(row?.expiredAt).toEqual(firstSweep);
    expect((await owner.agent.trpc.credits.balance.query()).lots[0]).toMatchObject({ remaining: 0 });
    await expectLedgerSound();
  });

  it("leaves lots not yet due, and skips a lot another transaction holds until the next sweep", async () => {
    const { lot: due } = await learnerWithOldLot(10, 5);
    const { lot: notDue } = await learnerWithOldLot(10, 11);
    const now = new Date();

    await t.db.transaction(async (tx) => {
      await tx.select().from(schema.creditLots).where(eq(schema.creditLots.id, due.id)).for("update");
      expect(await expireCreditLots(t.db, { now })).toEqual({ lots: 0, credits: 0 });
    });
    expect(await expireCreditLots(t.db, { now })).toEqual({ lots: 1, credits: 3 });

    const remaining = await t.db
      .select({ balance: schema.ledgerAccounts.balance })
      .from(schema.ledgerAccounts)
      .where(and(eq(schema.ledgerAccounts.id, notDue.accountId)));
    expect(remaining).toEqual([{ balance: 3 }]);
    // Eleven days on, it is due too.
    expect(await expireCreditLots(t.db, { now: new Date(now.getTime() + 2 * DAY) })).toEqual({ lots: 1, credits: 3 });
    await expectLedgerSound();
  });

  it("runs hourly as a worker task", async () => {
    const { lot } = await learnerWithOldLot(100, 90);
    const cron = createCronItems();
    expect(cron.map((c) => c.task)).toContain("credits.expire");
    const task = createTaskList({ db: t.db, email: undefined as never, logger: t.logger })["credits.expire"];
    await task?.({}, {} as never);
    const [account] = await t.db
      .select({ balance: schema.ledgerAccounts.balance })
      .from(schema.ledgerAccounts)
      .where(eq(schema.ledgerAccounts.id, lot.accountId));
    expect(account?.balance).toBe(0);
  });
});
