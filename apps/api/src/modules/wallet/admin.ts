import type { AdjustWalletInput, AdminWalletGetInput, AdminWalletsListInput } from "@lectern/api-contract";
import { toMajorUnits } from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { AppError, fromDatabaseError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import { normalizeRole } from "../account/service.ts";
import type { AdminActor } from "../admin/users.ts";
import { recordAudit } from "../audit/service.ts";
import { adjustWallet } from "../ledger/recipes.ts";
import { post, userAccount } from "../ledger/service.ts";
import { WALLET, WALLET_HELD, walletHistory, walletSummary } from "./service.ts";

const { ledgerAccounts, users } = schema;

const hasWallet = sql`exists (select 1 from ${ledgerAccounts} a
  where a.owner_id = ${users.id} and a.kind in (${WALLET}, ${WALLET_HELD}))`;

/** Users who have a wallet (any currency), by name, with their balances per currency. */
export async function listWallets(db: Db, input: AdminWalletsListInput) {
  const pattern = input.query ? containsPattern(input.query) : undefined;
  const where: SQL | undefined = and(
    hasWallet,
    pattern ? sql`(${users.name} ilike ${pattern} or ${users.email} ilike ${pattern})` : undefined,
  );
  const offset = (input.page - 1) * input.pageSize;
  const people = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(where)
    .orderBy(users.name, users.id)
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(people.length, input.pageSize, offset, async () => {
    const [row] = await db.select({ value: sql<number>`count(*)::int` }).from(users).where(where);
    return row?.value ?? 0;
  });
  const accounts =
    people.length === 0
      ? []
      : await db
          .select({
            ownerId: ledgerAccounts.ownerId,
            kind: ledgerAccounts.kind,
            currency: ledgerAccounts.currency,
            balance: ledgerAccounts.balance,
          })
          .from(ledgerAccounts)
          .where(
            and(
              inArray(
                ledgerAccounts.ownerId,
                people.map((p) => p.id),
              ),
              inArray(ledgerAccounts.kind, [WALLET, WALLET_HELD]),
            ),
          );
  const items = people.map((p) => {
    const balances = new Map<string, { currency: string; availableMinor: number; pendingMinor: number }>();
    for (const a of accounts.filter((x) => x.ownerId === p.id)) {
      const b = balances.get(a.currency) ?? { currency: a.currency, availableMinor: 0, pendingMinor: 0 };
      if (a.kind === WALLET) b.availableMinor = a.balance;
      else b.pendingMinor = a.balance;
      balances.set(a.currency, b);
    }
    return {
      ...p,
      role: normalizeRole(p.role),
      balances: [...balances.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    };
  });
  return { items, total, page: input.page, pageSize: input.pageSize };
}

/** One user's wallets as they see them (balances in their time zone's month) and their history. */
export async function getWallet(db: Db, input: AdminWalletGetInput) {
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, timezone: users.timezone })
    .from(users)
    .where(eq(users.id, input.userId));
  if (!user) throw new AppError("USER_NOT_FOUND", "No user with that id");
  const [balances, history] = await Promise.all([walletSummary(db, user), walletHistory(db, user.id, input)]);
  return { user: { ...user, role: normalizeRole(user.role) }, balances, history };
}

/**
 * An admin's correction of a user's available balance in one currency, with a reason (which is the
 * movement's description in the user's history): audited with the balance before and after. The
 * wallet row is locked first, so the balance read is the one the posting moves; a debit beyond it is
 * refused (INSUFFICIENT_FUNDS), and the database's non-negative CHECK backs that up.
 */
export async function adjustUserWallet(db: Db, actor: AdminActor, input: AdjustWalletInput) {
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
      if (!user) throw new AppError("USER_NOT_FOUND", "No user with that id");
      const accountId = await userAccount(tx, user.id, WALLET, input.currency);
      const [account] = await tx
        .select({ balance: ledgerAccounts.balance })
        .from(ledgerAccounts)
        .where(eq(ledgerAccounts.id, accountId))
        .for("update");
      const before = account?.balance ?? 0;
      const after = before + input.amount;
      if (after < 0) throw insufficient(before, input.currency);
      await recordAudit(tx, {
        actorId: actor.id,
        action: "wallet.adjust",
        targetType: "user",
        targetId: user.id,
        before: { currency: input.currency, availableMinor: before },
        after: { currency: input.currency, availableMinor: after, amountMinor: input.amount, reason: input.reason },
        ipAddress: actor.ip,
      });
      const transactionId = await post(
        tx,
        adjustWallet(
          { ownerId: user.id, currency: input.currency, amount: input.amount },
          { description: input.reason, actorId: actor.id, metadata: { reason: input.reason } },
        ),
      );
      return {
        transactionId,
        userId: user.id,
        currency: input.currency,
        amountMinor: input.amount,
        availableBeforeMinor: before,
        availableAfterMinor: after,
      };
    });
  } catch (error) {
    // The CHECK on ledger_accounts (a balance never below zero) refused the posting: the same refusal.
    if (fromDatabaseError(error)?.code === "INSUFFICIENT_BALANCE") throw insufficient(null, input.currency);
    throw error;
  }
}

const insufficient = (available: number | null, currency: string) =>
  new AppError(
    "INSUFFICIENT_FUNDS",
    available === null
      ? "The wallet does not have that much available"
      : `The wallet has only ${toMajorUnits(available, currency)} ${currency} available`,
  );
