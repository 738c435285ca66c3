import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signUpVerified } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { CREDIT, systemAccountId } from "./accounts.ts";
import { balanceDrift, post, transfer, unbalancedTransactions, userAccount } from "./service.ts";

const t = await useTestApp();

const balanceOf = async (id: string) =>
  (
    await t.db
      .select({ b: schema.ledgerAccounts.balance })
      .from(schema.ledgerAccounts)
      .where(eq(schema.ledgerAccounts.id, id))
  )[0]?.b;

describe("the ledger", () => {
  it("moves balances with each posting and keeps the cache equal to the entries", async () => {
    const { user } = await signUpVerified(t, { email: "ledger-owner@example.com" });
    await t.db.transaction(async (tx) => {
      const issuance = systemAccountId("credit_issuance", CREDIT);
      const mine = await userAccount(tx, user.id, "test_credits", CREDIT);
      await transfer(tx, issuance, mine, 3, CREDIT, { kind: "test.grant", description: "three" });
    });
    const mine = await t.db.transaction((tx) => userAccount(tx, user.id, "test_credits", CREDIT));
    expect(await balanceOf(mine)).toBe(3);
    expect(await balanceDrift(t.db)).toEqual([]);
    expect(await unbalancedTransactions(t.db)).toEqual([]);
  });

  it("refuses to take a user's balance below zero, writing nothing", async () => {
    const { user } = await signUpVerified(t, { email: "ledger-poor@example.com" });
    const [mine, sink] = await t.db.transaction(async (tx) => [
      await userAccount(tx, user.id, "test_credits", CREDIT),
      systemAccountId("credit_consumed", CREDIT),
    ]);
    await expect(
      t.db.transaction((tx) => transfer(tx, mine, sink, 1, CREDIT, { kind: "test.spend", description: "overdraw" })),
    ).rejects.toMatchObject({ code: "23514", constraint: "ledger_accounts_balance_non_negative" });
    expect(await balanceOf(mine)).toBe(0);
    expect(await balanceOf(sink)).toBe(0);
  });

  it("refuses an unbalanced transaction at commit, even one written around the service", async () => {
    const issuance = systemAccountId("credit_issuance", CREDIT);
    await expect(
      t.db.transaction(async (tx) => {
        const [txn] = await tx
          .insert(schema.ledgerTransactions)
          .values({ kind: "test.bad", description: "one-legged" })
          .returning();
        await tx
          .insert(schema.ledgerEntries)
          .values({ transactionId: txn?.id as string, accountId: issuance, amount: -5, currency: CREDIT });
      }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/does not balance/) } });
    expect(await unbalancedTransactions(t.db)).toEqual([]);
    // The service refuses before it reaches the database.
    await expect(
      t.db.transaction((tx) =>
        post(tx, {
          kind: "test.bad",
          description: "x",
          entries: [{ accountId: issuance, amount: -1, currency: CREDIT }],
        }),
      ),
    ).rejects.toThrow(/unbalanced/);
  });

  it("keeps entries immutable", async () => {
    const [entry] = await t.db.select().from(schema.ledgerEntries).limit(1);
    expect(entry).toBeDefined();
    const immutable = { cause: { message: expect.stringMatching(/append-only/) } };
    await expect(
      t.db.execute(sql`update ledger_entries set amount = 99 where id = ${entry?.id}`),
    ).rejects.toMatchObject(immutable);
    await expect(t.db.execute(sql`delete from ledger_entries where id = ${entry?.id}`)).rejects.toMatchObject(
      immutable,
    );
  });
});
