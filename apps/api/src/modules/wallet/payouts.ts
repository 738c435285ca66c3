import type { Currency, PayoutMethodKind } from "@lectern/api-contract";
import { type Env, loadEnv } from "@lectern/config";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq, lt, sql } from "drizzle-orm";
import type { CronItem, TaskList } from "graphile-worker";
import { z } from "zod";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { registerEventHandlers } from "../payments/inbox.ts";
import { type PayoutOutcome, payoutEventHandlers } from "../payments/providers/payout-events.ts";
import { localPayouts, manualPayouts } from "../payments/providers/payouts-local.ts";
import { createPaystackPayouts } from "../payments/providers/payouts-paystack.ts";
import { createStripeConnectPayouts } from "../payments/providers/payouts-stripe.ts";
import type { PayoutProvider, PayoutResult } from "../payments/providers/types.ts";
import {
  PAYOUT_TASK,
  queuePayout,
  reverseSettledPayout,
  settleFailed,
  settlePaid,
  type Withdrawal,
} from "./withdrawals.ts";

/**
 * The payout job: an approved withdrawal goes to its method's provider. The provider call happens
 * outside any transaction (it is a network call); its answer is applied in a locked transaction that
 * first checks the withdrawal is still unsettled, so a re-run (a retried job, a provider event that
 * came first) never pays or releases twice, and the provider's idempotency key is the withdrawal id,
 * so a re-sent payout is the same payout.
 */

const W = schema.withdrawals;
const M = schema.payoutMethods;

export type PayoutProviders = (kind: PayoutMethodKind) => PayoutProvider;

/** The provider that pays a method's kind (Stripe and Paystack built on first use, with this env's keys). */
export function payoutProviders(env: Env): PayoutProviders {
  let stripe: PayoutProvider | undefined;
  let paystack: PayoutProvider | undefined;
  return (kind) => {
    switch (kind) {
      case "local":
        return localPayouts;
      case "manual":
        return manualPayouts;
      case "stripe_connect":
        stripe ??= createStripeConnectPayouts(env);
        return stripe;
      case "paystack":
        paystack ??= createPaystackPayouts(env);
        return paystack;
    }
  };
}

export const PayoutPayload = z.object({ withdrawalId: z.uuid() });

/** Sends one approved withdrawal and applies the answer; a thrown error (network) leaves it approved for the job's retry. */
export async function runPayout(db: Db, providers: PayoutProviders, withdrawalId: string) {
  const [row] = await db
    .select({ withdrawal: W, kind: M.kind, details: M.details })
    .from(W)
    .innerJoin(M, eq(M.id, W.methodId))
    .where(eq(W.id, withdrawalId));
  // Only approved ones are sent; processing ones wait for their provider event (or an admin, for manual).
  if (row?.withdrawal.status !== "approved") return { status: "skipped" as const };
  const w = row.withdrawal;
  const result = await providers(row.kind).send({
    withdrawalId: w.id,
    amount: w.amount,
    currency: w.currency as Currency,
    destination: (row.details ?? {}) as Record<string, unknown>,
  });
  await applyPayoutResult(db, w.id, result);
  return { status: result.status };
}

/**
 * A provider's answer (from the job or a webhook event) applied once: under the row lock, only an
 * approved or processing withdrawal moves. Runs in the caller's transaction when given one (inbox).
 */
export async function applyPayoutResult(db: DbOrTx, withdrawalId: string, result: PayoutResult) {
  return db.transaction(async (tx) => {
    const [w] = await tx.select().from(W).where(eq(W.id, withdrawalId)).for("update");
    if (!w || (w.status !== "approved" && w.status !== "processing")) return false;
    await settle(tx, w, result);
    return true;
  });
}

/**
 * A provider's payout webhook (recorded in the inbox under the provider's name), applied in the
 * inbox's transaction: it settles a withdrawal still on its way, and a reversal of one already paid
 * puts the money back in the wallet. Anything else (a repeat, a withdrawal settled otherwise) changes nothing.
 */
export async function applyPayoutOutcome(tx: DbOrTx, outcome: PayoutOutcome) {
  const [w] = await tx.select().from(W).where(eq(W.id, outcome.withdrawalId)).for("update");
  if (!w) return;
  const reason = outcome.reason ?? "The payout failed";
  if (w.status === "approved" || w.status === "processing") {
    await settle(
      tx,
      w,
      outcome.status === "paid"
        ? { status: "paid", providerRef: w.providerRef ?? w.id }
        : { status: "failed", reason, providerRef: w.providerRef ?? undefined },
    );
  } else if (w.status === "paid" && outcome.status === "failed") {
    await reverseSettledPayout(tx, w, reason);
  }
}

// Registered when the module loads: the API (through the withdrawals router) and the worker both import it.
for (const provider of ["stripe", "paystack"] as const)
  registerEventHandlers(provider, payoutEventHandlers(provider, applyPayoutOutcome));

async function settle(tx: DbOrTx, w: Withdrawal, result: PayoutResult) {
  switch (result.status) {
    case "paid":
      await settlePaid(tx, w, result.providerRef, null);
      return;
    case "failed":
      await settleFailed(tx, w, {
        status: "failed",
        reason: result.reason,
        actorId: null,
        providerRef: result.providerRef,
      });
      return;
    case "pending":
      await tx.update(W).set({ status: "processing", providerRef: result.providerRef }).where(eq(W.id, w.id));
      return;
  }
}

export const PAYOUT_SWEEP_TASK = "withdrawals.payoutSweep";
/** An approved withdrawal still unsent this long after approval lost its job (its retries ran out). */
const STALE_APPROVED_MINUTES = 30;

/**
 * Queues the payout job again for approved withdrawals left unsent (a provider down longer than the
 * job's retries): their money is held, so they must not wait forever. Sending twice is harmless: the
 * provider's idempotency key is the withdrawal id and settling checks the status under a lock.
 */
export async function requeueStalePayouts(db: Db, now = new Date()) {
  const cutoff = new Date(now.getTime() - STALE_APPROVED_MINUTES * 60_000);
  const stale = await db
    .select({ id: W.id })
    .from(W)
    .where(and(eq(W.status, "approved"), lt(sql`coalesce(${W.reviewedAt}, ${W.confirmedAt})`, cutoff)));
  for (const { id } of stale) await queuePayout(db, id);
  return { requeued: stale.length };
}

/** The payout task and its sweep, for the worker. */
export function withdrawalTasks(deps: TaskDeps): TaskList {
  return {
    [PAYOUT_SWEEP_TASK]: async () => {
      const { requeued } = await requeueStalePayouts(deps.db);
      if (requeued > 0) deps.logger.warn({ requeued }, "stale approved withdrawals queued for payout again");
    },
    [PAYOUT_TASK]: async (payload) => {
      const { withdrawalId } = PayoutPayload.parse(payload);
      // The worker passes its env; a task list built without one (some tests) reads the process's.
      const outcome = await runPayout(deps.db, payoutProviders(deps.env ?? loadEnv()), withdrawalId);
      deps.logger.info({ withdrawalId, outcome: outcome.status }, "withdrawal payout");
    },
  };
}

/** Hourly: approved withdrawals whose payout job gave up are sent again. */
export const withdrawalCron: CronItem[] = [
  { task: PAYOUT_SWEEP_TASK, match: "41 * * * *", identifier: PAYOUT_SWEEP_TASK, options: { maxAttempts: 3 } },
];
