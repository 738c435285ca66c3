import { LEDGER_MAX_AMOUNT } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createCronItems, createTaskList } from "../../jobs/tasks.ts";
import { signedInAs } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, ledgerInvariants, type Person, person, slotIn } from "../tutoring/testing.ts";
import { CREDIT, SYSTEM_ACCOUNTS, systemAccountId } from "./accounts.ts";
import { issueCredits, reserveCredit } from "./recipes.ts";
import { post, userAccount } from "./service.ts";

const t = await useTestApp();

const systemIds = Object.values(SYSTEM_ACCOUNTS).flatMap((byCurrency) => Object.values(byCurrency) as string[]);

/** A learner with one lot of `credits`; returns the lot's account. */
async function learnerWithLot(credits = 2) {
  const learner = await person(t, "learner");
  const lot = await grantCredits(t, learner.user.id, credits);
  return { learner, lotAccountId: lot.accountId };
}

async function teacherAvailableAlways() {
  const teacher = await person(t, "teacher");
  await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
  return teacher;
}

const book = (learner: Person, teacher: Person) =>
  learner.agent.trpc.tutoring.sessions.book.mutate({
    teacherId: teacher.user.id,
    startsAt: slotIn(48),
    durationMinutes: 60,
  });

/** The error Postgres raised under a failed Drizzle query. */
const pgError = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { cause?: { code?: string; message?: string; constraint?: string } },
  );
  return error?.cause ?? error;
};

async function expectSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}

describe("the chart of accounts", () => {
  it("has every system account from the migrations, with its fixed id and no cached balance after a grant", async () => {
    const rows = await t.db
      .select()
      .from(schema.ledgerAccounts)
      .where(sql`${schema.ledgerAccounts.ownerId} is null and ${schema.ledgerAccounts.id} in ${systemIds}`);
    expect(rows).toHaveLength(systemIds.length);
    for (const row of rows)
      expect(systemAccountId(row.kind as keyof typeof SYSTEM_ACCOUNTS, row.currency)).toBe(row.id);
    await learnerWithLot(3);
    const [issuance] = await t.db
      .select({ balance: schema.ledgerAccounts.balance })
      .from(schema.ledgerAccounts)
      .where(eq(schema.ledgerAccounts.id, systemAccountId("credit_issuance", CREDIT)));
    expect(issuance?.balance).toBe(0);
    await expectSound();
  });
});

describe("the database guards the ledger", () => {
  it("refuses a direct write of a balance, and a new account that starts with one", async () => {
    const { lotAccountId } = await learnerWithLot(2);
    expect(
      await pgError(t.db.execute(sql`update ledger_accounts set balance = balance + 100 where id = ${lotAccountId}`)),
    ).toMatchObject({ code: "23001", message: expect.stringMatching(/written only by posting/) });
    expect(
      await pgError(
        t.db.execute(
          sql`update ledger_accounts set balance = 5 where id = ${systemAccountId("credit_consumed", CREDIT)}`,
        ),
      ),
    ).toMatchObject({ code: "23001" });
    const owner = await person(t, "learner");
    expect(
      await pgError(
        t.db
          .insert(schema.ledgerAccounts)
          .values({ ownerId: owner.user.id, kind: "credit_held", currency: CREDIT, balance: 9 }),
      ),
    ).toMatchObject({ code: "23001" });
    await expectSound();
  });

  it("refuses UPDATE, DELETE and TRUNCATE of entries and transactions", async () => {
    const { lotAccountId } = await learnerWithLot(1);
    const [entry] = await t.db.select().from(schema.ledgerEntries).limit(1);
    const appendOnly = { code: "23001", message: expect.stringMatching(/append-only/) };
    for (const statement of [
      sql`update ledger_entries set amount = 99 where id = ${entry?.id}`,
      sql`delete from ledger_entries where id = ${entry?.id}`,
      sql`truncate ledger_entries cascade`,
      sql`update ledger_transactions set description = 'edited' where id = ${entry?.transactionId}`,
      sql`delete from ledger_transactions where id = ${entry?.transactionId}`,
      sql`truncate ledger_transactions cascade`,
    ])
      expect(await pgError(t.db.execute(statement))).toMatchObject(appendOnly);
    // The one change let through: a deleted actor's id set to null (the actor FK's ON DELETE SET NULL).
    const admin = await person(t, "admin");
    const id = await t.db.transaction((tx) =>
      post(tx, issueCredits(lotAccountId, 1, { description: "by an admin", actorId: admin.user.id })),
    );
    expect(
      await pgError(
        t.db.execute(sql`update ledger_transactions set actor_id = ${entry?.transactionId} where id = ${id}`),
      ),
    ).toMatchObject(appendOnly);
    await t.db.execute(sql`update ledger_transactions set actor_id = null where id = ${id}`);
    await expectSound();
  });

  it("refuses an entry in another currency than its account's (composite key)", async () => {
    const { lotAccountId } = await learnerWithLot(1);
    const error = await pgError(
      t.db.transaction((tx) =>
        post(tx, {
          kind: "test.currency",
          description: "credits posted as dollars",
          entries: [
            { accountId: systemAccountId("payroll_expense", "USD"), amount: -1, currency: "USD" },
            { accountId: lotAccountId, amount: 1, currency: "USD" },
          ],
        }),
      ),
    );
    expect(error).toMatchObject({ code: "23503", constraint: "ledger_entries_account_currency_fk" });
    await expectSound();
  });

  it("refuses a statement whose entries do not sum to zero per transaction, writing nothing", async () => {
    const { lotAccountId } = await learnerWithLot(1);
    const error = await pgError(
      t.db.transaction(async (tx) => {
        const [txn] = await tx
          .insert(schema.ledgerTransactions)
          .values({ kind: "test.bad", description: "two transactions, each unbalanced, summing to zero" })
          .returning();
        const [other] = await tx
          .insert(schema.ledgerTransactions)
          .values({ kind: "test.bad", description: "the other half" })
          .returning();
        await tx.insert(schema.ledgerEntries).values([
          {
            transactionId: txn?.id as string,
            accountId: systemAccountId("credit_issuance", CREDIT),
            amount: -1,
            currency: CREDIT,
          },
          { transactionId: other?.id as string, accountId: lotAccountId, amount: 1, currency: CREDIT },
        ]);
      }),
    );
    expect(error).toMatchObject({ code: "23514", message: expect.stringMatching(/does not balance/) });
    await expectSound();
  });

  it("bounds amounts: post() and the database refuse more than LEDGER_MAX_AMOUNT", async () => {
    const { learner, lotAccountId } = await learnerWithLot(1);
    await expect(
      t.db.transaction((tx) =>
        post(tx, issueCredits(lotAccountId, LEDGER_MAX_AMOUNT + 1, { description: "too many" })),
      ),
    ).rejects.toThrow(/bad ledger amount/);
    const held = await t.db.transaction((tx) => userAccount(tx, learner.user.id, "credit_held", CREDIT));
    const error = await pgError(
      t.db.transaction(async (tx) => {
        const [txn] = await tx
          .insert(schema.ledgerTransactions)
          .values({ kind: "test.big", description: "over the bound" })
          .returning();
        await tx.insert(schema.ledgerEntries).values([
          {
            transactionId: txn?.id as string,
            accountId: systemAccountId("credit_issuance", CREDIT),
            amount: -(LEDGER_MAX_AMOUNT + 1),
            currency: CREDIT,
          },
          { transactionId: txn?.id as string, accountId: held, amount: LEDGER_MAX_AMOUNT + 1, currency: CREDIT },
        ]);
      }),
    );
    expect(error).toMatchObject({ code: "23514", constraint: "ledger_entries_amount_bounded" });
    await expectSound();
  });
});

describe("bookings of unrelated people", () => {
  it("16 at once all succeed and never update a system account's row", async () => {
    const pairs = await Promise.all(
      Array.from({ length: 16 }, async () => ({
        learner: (await learnerWithLot(2)).learner,
        teacher: await teacherAvailableAlways(),
      })),
    );
    // xmin changes whenever a row is updated (a key-share lock from a foreign key does not change it).
    const versions = () =>
      t.db.execute<{ id: string; xmin: string }>(
        sql`select id, xmin::text from ledger_accounts where owner_id is null order by id`,
      );
    const before = (await versions()).rows;
    const results = await Promise.allSettled(pairs.map((p) => book(p.learner, p.teacher)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(16);
    expect((await versions()).rows).toEqual(before);
    await expectSound();
  });

  it("one learner's booking still open does not hold up another learner's", async () => {
    const a = await learnerWithLot(2);
    const b = await learnerWithLot(2);
    const teacher = await teacherAvailableAlways();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let posted!: () => void;
    const holding = new Promise<void>((resolve) => {
      posted = resolve;
    });
    // Learner A's reservation is posted but not committed: A's rows stay locked.
    const open = t.db.transaction(async (tx) => {
      await post(
        tx,
        reserveCredit(
          { learnerId: a.learner.user.id, lotAccountId: a.lotAccountId, credits: 1 },
          { description: "held open" },
        ),
      );
      posted();
      await released;
    });
    await holding;
    try {
      // Before the ledger core, this waited on the shared credit_reserved row (and timed out as a 409).
      await expect(book(b.learner, teacher)).resolves.toMatchObject({ creditOutcome: "reserved" });
    } finally {
      release();
      await open;
    }
    await expectSound();
  });
});

describe("the drift check", () => {
  it("runs every 15 minutes, finds nothing on a sound ledger, and shows on admin.ledger.health", async () => {
    expect(createCronItems().find((c) => c.task === "ledger.health")).toMatchObject({ identifier: "ledger.health" });
    await learnerWithLot(2);
    const errors: unknown[] = [];
    const logger = { ...t.logger, error: (...args: unknown[]) => errors.push(args) } as typeof t.logger;
    await createTaskList({ db: t.db, email: undefined as never, logger })["ledger.health"]?.({}, {} as never);
    expect(errors).toEqual([]);
    const admin = await signedInAs(t, "admin");
    const health = await admin.agent.trpc.admin.ledger.health.query();
    expect(health.lastCheck).toMatchObject({ ok: true, driftedAccounts: 0, unbalancedTransactions: 0 });
    const credits = health.totals.find((c) => c.currency === CREDIT);
    expect(credits?.users).toBeGreaterThanOrEqual(2);
    expect((credits?.users ?? 0) + Object.values(credits?.system ?? {}).reduce((s, n) => s + n, 0)).toBe(0);
  });

  it("detects a forged balance, logs an error and reports it", async () => {
    const { lotAccountId } = await learnerWithLot(2);
    // Only a superuser with triggers switched off can forge a balance.
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update ledger_accounts set balance = balance + 1 where id = ${lotAccountId}`);
    });
    const errors: unknown[] = [];
    const logger = { ...t.logger, error: (...args: unknown[]) => errors.push(args) } as typeof t.logger;
    await createTaskList({ db: t.db, email: undefined as never, logger })["ledger.health"]?.({}, {} as never);
    expect(errors).toHaveLength(1);
    const admin = await signedInAs(t, "admin");
    const health = await admin.agent.trpc.admin.ledger.health.query();
    expect(health.lastCheck).toMatchObject({
      ok: false,
      driftedAccounts: 1,
      drift: [{ account_id: lotAccountId, balance: "3", entries: "2" }],
    });
    // Put it back (this file's database is its own) so the checks above stay meaningful.
    await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update ledger_accounts set balance = balance - 1 where id = ${lotAccountId}`);
    });
  });
});
