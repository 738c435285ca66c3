import { type RefundOrderInput, TUTORING_POLICY } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq, or, sql } from "drizzle-orm";
import type { TaskList } from "graphile-worker";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { addJob } from "../../jobs/queue.ts";
import type { TaskDeps } from "../../jobs/tasks.ts";
import type { AdminActor } from "../admin/users.ts";
import { recordAudit } from "../audit/service.ts";
import { refundPlatformSale, removeRefundedCredits, restoreRefundedCredits } from "../ledger/recipes.ts";
import { lockHeldCredits, post } from "../ledger/service.ts";
import { lotReceivingReturn } from "../tutoring/credits.ts";
import { createPaymentRegistry } from "./providers/registry.ts";
import type { PaymentOutcome, PaymentProvider } from "./providers/types.ts";

/*
 * Refunds of orders. An admin asks for one (`requestRefund`): in that request's transaction the
 * refund row is written, the unused credits it pays back leave the learner's lot at once (so they
 * cannot be spent while the provider works) and a job is queued. The job (`sendRefund`) calls the
 * provider outside any database transaction, with the refund's id as the provider's idempotency
 * handle, so a retried job never refunds twice. The provider's answer, now or later by webhook, is
 * applied by `applyRefundOutcome`: success posts the refund of the sale; failure puts the credits
 * back in the lot (`restoreRefundedCredits`).
 */

const { orders, orderRefunds, creditLots, ledgerAccounts } = schema;

export const SEND_REFUND_TASK = "payments.refund.send";
export const SendRefundPayload = z.object({ refundId: z.uuid() });

type Order = typeof orders.$inferSelect;
type Refund = typeof orderRefunds.$inferSelect;

/** A payment the provider reported but that was not applied (amount or currency differed): it granted nothing. */
const isFlagged = (order: Order) =>
  order.flagReason !== null && order.paymentRef !== null && order.status !== "paid" && order.status !== "refunded";

/** What a refund of the order would pay back now: amount and credits, or why nothing. */
export interface Refundable {
  amount: number;
  credits: number;
  /** the credit lot's ledger account the credits leave (null when none are involved) */
  lotAccountId: string | null;
}

/**
 * The refundable part of an order, read under the locks the caller's transaction holds (or takes
 * here, with `lock`): a paid pack pays back its unused credits pro rata, amount × unused ÷ credits,
 * rounded down; a flagged payment is returned whole and involves no credits. Credits held by booked
 * sessions are in use, not unused.
 */
export async function refundableOf(tx: DbOrTx, order: Order, lock: boolean): Promise<Refundable> {
  const remaining = order.amount - order.refundedAmount;
  if (isFlagged(order)) return { amount: Math.max(remaining, 0), credits: 0, lotAccountId: null };
  if (order.status !== "paid") return { amount: 0, credits: 0, lotAccountId: null };
  if (order.itemType !== "credit_pack" || order.creditLotId === null || !order.credits)
    return { amount: Math.max(remaining, 0), credits: 0, lotAccountId: null };
  const query = tx
    .select({ accountId: ledgerAccounts.id, balance: ledgerAccounts.balance })
    .from(creditLots)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, creditLots.accountId))
    .where(eq(creditLots.id, order.creditLotId));
  // The lot's account row, after the learner's held credits as on every credit path: a booking or
  // the expiry sweep moving its credits waits for this refund.
  if (lock) await lockHeldCredits(tx, order.buyerId);
  const [lot] = lock ? await query.for("update", { of: ledgerAccounts }) : await query;
  if (!lot) throw new Error(`credit lot ${order.creditLotId} missing`);
  const unused = Math.min(lot.balance, order.credits);
  // In bigint: amount (≤ 10^15) × credits may pass 2^53.
  const proRata = Number((BigInt(order.amount) * BigInt(unused)) / BigInt(order.credits));
  const amount = Math.min(proRata, remaining);
  return amount > 0
    ? { amount, credits: unused, lotAccountId: lot.accountId }
    : { amount: 0, credits: 0, lotAccountId: null };
}

/** The refund as the console shows it. */
const refundView = (r: Refund, currency: string) => ({
  id: r.id,
  orderId: r.orderId,
  amount: r.amount,
  currency,
  creditsRemoved: r.creditsRemoved,
  reason: r.reason,
  status: r.status,
  providerRefundRef: r.providerRefundRef,
  failureReason: r.failureReason,
  requestedBy: r.requestedBy,
  createdAt: r.createdAt,
  settledAt: r.settledAt,
});

async function lockOrder(tx: DbOrTx, orderId: string) {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update");
  return order;
}

/**
 * An admin refunds an order: its unused credits (a paid pack) or the whole payment (a flagged one).
 * One refund is in flight per order; asking again while it is re-sends that same refund (the
 * provider sees the same idempotency handle), it never starts a second one.
 */
export async function requestRefund(db: Db, actor: AdminActor, input: RefundOrderInput) {
  return db.transaction(async (tx) => {
    const order = await lockOrder(tx, input.orderId);
    if (!order) throw new AppError("ORDER_NOT_FOUND", "No order with that id");
    const [inFlight] = await tx
      .select()
      .from(orderRefunds)
      .where(and(eq(orderRefunds.orderId, order.id), eq(orderRefunds.status, "requested")));
    if (inFlight) {
      await addJob(tx, SEND_REFUND_TASK, { refundId: inFlight.id }, { jobKey: sendJobKey(inFlight.id) });
      await recordAudit(tx, {
        actorId: actor.id,
        action: "order.refund",
        targetType: "order",
        targetId: order.id,
        after: { refundId: inFlight.id, resent: true, reason: input.reason },
        ipAddress: actor.ip,
      });
      return refundView(inFlight, order.currency);
    }
    if (order.status === "refunded") throw new AppError("NOTHING_TO_REFUND", "This order is already refunded in full");
    if (order.status !== "paid" && !isFlagged(order))
      throw new AppError("ORDER_NOT_PAID", "Only a paid order can be refunded");
    const refundable = await refundableOf(tx, order, true);
    if (refundable.amount <= 0)
      throw new AppError("NOTHING_TO_REFUND", "Nothing is left to refund: the credits are used or already refunded");
    const [refund] = await tx
      .insert(orderRefunds)
      .values({
        orderId: order.id,
        amount: refundable.amount,
        creditsRemoved: refundable.credits,
        reason: input.reason,
        requestedBy: actor.id,
      })
      .returning();
    if (!refund) throw new Error("refund insert returned nothing");
    await addJob(tx, SEND_REFUND_TASK, { refundId: refund.id }, { jobKey: sendJobKey(refund.id) });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "order.refund",
      targetType: "order",
      targetId: order.id,
      before: { status: order.status, refundedAmount: order.refundedAmount },
      after: {
        refundId: refund.id,
        amount: refund.amount,
        currency: order.currency,
        creditsRemoved: refund.creditsRemoved,
        reason: refund.reason,
        flagged: isFlagged(order),
      },
      ipAddress: actor.ip,
    });
    if (refundable.lotAccountId && refundable.credits > 0)
      await post(
        tx,
        removeRefundedCredits(refundable.lotAccountId, refundable.credits, {
          description: `Refund of ${order.description}: ${refundable.credits} unused credits`,
          actorId: actor.id,
          reference: { type: "order_refund", id: refund.id },
          metadata: { orderId: order.id },
        }),
      );
    return refundView(refund, order.currency);
  });
}

const sendJobKey = (refundId: string) => `refund:${refundId}`;

/**
 * The job: sends a requested refund to the order's provider, outside any transaction (the provider
 * may call our webhook before it answers), then applies what it answered. A provider error throws,
 * so graphile-worker retries with the same refund id; a settled refund is left alone.
 */
export async function sendRefund(db: Db, providerOf: (name: string) => PaymentProvider, refundId: string) {
  const [row] = await db
    .select({ refund: orderRefunds, order: orders })
    .from(orderRefunds)
    .innerJoin(orders, eq(orders.id, orderRefunds.orderId))
    .where(eq(orderRefunds.id, refundId));
  if (row?.refund.status !== "requested") return;
  const { refund, order } = row;
  if (!order.paymentRef) throw new Error(`order ${order.id} has no payment reference to refund`);
  const answer = await providerOf(order.provider).refund({
    orderId: order.id,
    paymentRef: order.paymentRef,
    amount: refund.amount,
    currency: order.currency as Parameters<PaymentProvider["refund"]>[0]["currency"],
    refundId: refund.id,
    reason: refund.reason,
  });
  await db.transaction(async (tx) => {
    if (answer.status === "pending") {
      // Settled later by the provider's webhook, found by this reference.
      await tx
        .update(orderRefunds)
        .set({ providerRefundRef: answer.refundRef })
        .where(and(eq(orderRefunds.id, refund.id), eq(orderRefunds.status, "requested")));
      return;
    }
    await applyRefundOutcome(
      tx,
      answer.status === "succeeded"
        ? {
            kind: "refunded",
            orderId: order.id,
            refundRef: answer.refundRef,
            amount: refund.amount,
            currency: order.currency,
          }
        : {
            kind: "refund_failed",
            orderId: order.id,
            refundRef: answer.refundRef,
            reason: "The provider refused the refund",
          },
      refund.id,
    );
  });
}

/**
 * Applies a provider's refund outcome (webhook, or the provider's direct answer) in the caller's
 * transaction. Idempotent: a refund settles once; the same event again, or success and then a late
 * failure, changes nothing more. The refund is found by the provider's reference, by our id (what
 * providers that carry our metadata report), or as the order's one refund in flight (an event that
 * overtook the provider's answer). An outcome for no refund of ours throws: the inbox keeps the
 * event as failed for an admin to look at.
 */
export async function applyRefundOutcome(tx: DbOrTx, outcome: PaymentOutcome, refundId?: string) {
  if (outcome.kind !== "refunded" && outcome.kind !== "refund_failed")
    throw new Error(`not a refund outcome: ${outcome.kind}`);
  const order = z.uuid().safeParse(outcome.orderId).success ? await lockOrder(tx, outcome.orderId) : undefined;
  if (!order) throw new Error(`refund outcome for unknown order ${outcome.orderId}`);
  const refund = await findRefund(tx, order.id, outcome.refundRef, refundId);
  if (!refund) throw new Error(`refund outcome ${outcome.refundRef} matches no refund of order ${order.id}`);
  if (refund.status !== "requested") return;
  const now = new Date();
  if (outcome.kind === "refund_failed") {
    await tx
      .update(orderRefunds)
      .set({
        status: "failed",
        settledAt: now,
        failureReason: outcome.reason.slice(0, 500),
        providerRefundRef: refund.providerRefundRef ?? outcome.refundRef,
      })
      .where(eq(orderRefunds.id, refund.id));
    await recordAudit(tx, {
      actorId: null,
      action: "order.refund.settle",
      targetType: "order",
      targetId: order.id,
      after: { refundId: refund.id, status: "failed", reason: outcome.reason, creditsRestored: refund.creditsRemoved },
    });
    if (refund.creditsRemoved > 0 && order.creditLotId) {
      // Back into the lot, or into a fresh one when it has expired meanwhile (as any non-learner return).
      const { lot, target } = await lotReceivingReturn(tx, {
        lotId: order.creditLotId,
        credits: refund.creditsRemoved,
        actorId: null,
        now,
        minValidityDays: TUTORING_POLICY.returnedCreditMinValidityDays,
      });
      await post(
        tx,
        restoreRefundedCredits(target.accountId, refund.creditsRemoved, {
          description: `Refund of ${order.description} failed: ${refund.creditsRemoved} credits restored`,
          reference: { type: "order_refund", id: refund.id },
          metadata: target.id === lot.id ? { orderId: order.id } : { orderId: order.id, fromLotId: lot.id },
        }),
      );
    }
    return;
  }
  if (outcome.amount !== refund.amount || outcome.currency.toUpperCase() !== order.currency)
    throw new Error(
      `refund ${refund.id}: provider reports ${outcome.amount} ${outcome.currency}, asked ${refund.amount} ${order.currency}`,
    );
  const refundedAmount = order.refundedAmount + refund.amount;
  // A paid order refunded in full is "refunded"; a flagged one keeps its status (it was never paid here).
  const status = order.status === "paid" && refundedAmount === order.amount ? "refunded" : order.status;
  await tx
    .update(orderRefunds)
    .set({ status: "succeeded", settledAt: now, providerRefundRef: refund.providerRefundRef ?? outcome.refundRef })
    .where(eq(orderRefunds.id, refund.id));
  await tx.update(orders).set({ refundedAmount, status, updatedAt: now }).where(eq(orders.id, order.id));
  await recordAudit(tx, {
    actorId: null,
    action: "order.refund.settle",
    targetType: "order",
    targetId: order.id,
    before: { status: order.status, refundedAmount: order.refundedAmount },
    after: { refundId: refund.id, status, refundedAmount, amount: refund.amount, currency: order.currency },
  });
  // Only a paid order's sale was posted as revenue; a flagged payment's money never entered it.
  if (order.status === "paid")
    await post(
      tx,
      refundPlatformSale(
        { currency: order.currency, amount: refund.amount },
        {
          description: `Refund of ${order.description}`,
          reference: { type: "order_refund", id: refund.id },
          metadata: { orderId: order.id, refundRef: outcome.refundRef },
        },
      ),
    );
}

async function findRefund(tx: DbOrTx, orderId: string, refundRef: string, refundId?: string) {
  const isUuid = z.uuid().safeParse(refundRef).success;
  const [byRef] = await tx
    .select()
    .from(orderRefunds)
    .where(
      and(
        eq(orderRefunds.orderId, orderId),
        or(
          refundId ? eq(orderRefunds.id, refundId) : undefined,
          eq(orderRefunds.providerRefundRef, refundRef),
          isUuid ? eq(orderRefunds.id, refundRef) : undefined,
        ),
      ),
    )
    .for("update");
  if (byRef) return byRef;
  const [inFlight] = await tx
    .select()
    .from(orderRefunds)
    .where(and(eq(orderRefunds.orderId, orderId), eq(orderRefunds.status, "requested")))
    .for("update");
  return inFlight;
}

/** Every refund of an order, newest first. */
export async function listRefunds(db: DbOrTx, order: Pick<Order, "id" | "currency">) {
  const rows = await db
    .select()
    .from(orderRefunds)
    .where(eq(orderRefunds.orderId, order.id))
    .orderBy(sql`${orderRefunds.createdAt} desc`);
  return rows.map((r) => refundView(r, order.currency));
}

/** The refund-sending task: each run builds the worker's payment registry (providers by name). */
export function refundTasks(deps: TaskDeps): TaskList {
  return {
    [SEND_REFUND_TASK]: async (payload) => {
      const { refundId } = SendRefundPayload.parse(payload);
      if (!deps.env) throw new Error("the refund task needs the worker's environment");
      const registry = createPaymentRegistry({ env: deps.env, db: deps.db, logger: deps.logger });
      await sendRefund(
        deps.db,
        (name) => {
          const provider = registry.providerByName(name);
          if (!provider) throw new Error(`payment provider ${name} is not configured`);
          return provider;
        },
        refundId,
      );
    },
  };
}
