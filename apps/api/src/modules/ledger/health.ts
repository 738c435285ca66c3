import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { desc } from "drizzle-orm";
import type { Logger } from "../../logger.ts";
import { balanceDrift, ledgerTotals, unbalancedTransactions } from "./service.ts";

const { ledgerHealthChecks } = schema;

/** How many drifted accounts or unbalanced transactions a stored check lists (the counts are exact). */
const DETAILS_LIMIT = 20;

/**
 * The drift check: every user-owned cached balance equals the sum of its entries, and every ledger
 * transaction sums to zero per currency. Stores what it found (the admin Health page reads the
 * latest) and logs an error on any drift.
 */
export async function runLedgerHealthCheck(db: Db, logger: Pick<Logger, "error" | "info">) {
  const [drift, unbalanced, totals] = await Promise.all([
    balanceDrift(db),
    unbalancedTransactions(db),
    ledgerTotals(db),
  ]);
  const ok = drift.length === 0 && unbalanced.length === 0;
  const [check] = await db
    .insert(ledgerHealthChecks)
    .values({
      ok,
      driftedAccounts: drift.length,
      unbalancedTransactions: unbalanced.length,
      details: { drift: drift.slice(0, DETAILS_LIMIT), unbalanced: unbalanced.slice(0, DETAILS_LIMIT), totals },
    })
    .returning();
  if (!check) throw new Error("ledger health insert returned nothing");
  if (!ok)
    logger.error(
      { driftedAccounts: drift.length, unbalancedTransactions: unbalanced.length, checkId: check.id },
      "ledger drift: cached balances or transactions do not add up",
    );
  return check;
}

interface Details {
  drift: { account_id: string; balance: string; entries: string }[];
  unbalanced: { transaction_id: string; currency: string }[];
  totals: Awaited<ReturnType<typeof ledgerTotals>>;
}

/** The latest stored check (null before the first run), and the per-currency totals now. */
export async function ledgerHealth(db: DbOrTx) {
  const [[last], totals] = await Promise.all([
    db.select().from(ledgerHealthChecks).orderBy(desc(ledgerHealthChecks.checkedAt)).limit(1),
    ledgerTotals(db),
  ]);
  const details = last?.details as Details | undefined;
  return {
    lastCheck: last
      ? {
          checkedAt: last.checkedAt,
          ok: last.ok,
          driftedAccounts: last.driftedAccounts,
          unbalancedTransactions: last.unbalancedTransactions,
          drift: details?.drift ?? [],
          unbalanced: details?.unbalanced ?? [],
        }
      : null,
    totals,
  };
}
