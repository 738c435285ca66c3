import { formatReceiptNumber, type ListOrdersInput } from "@lectern/api-contract";
import type { Db, DbOrTx, Tx } from "@lectern/db";
import { plainRow, schema } from "@lectern/db";
import { and, asc, count, desc, eq, inArray, isNull, lte } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { recordPlatformSale } from "../ledger/recipes.ts";
import { post } from "../ledger/service.ts";
import { openCreditLot } from "../tutoring/credits.ts";
import type { PaymentOutcome } from "./providers/types.ts";
import { enqueueReceiptEmail } from "./receipts.ts";

/**
 * Orders and the one function that applies a provider's word about a payment to them. Every path
 * that learns of a payment (webhook, the return page's lookup, an admin's replay) goes through the
 * inbox to `applyPaymentOutcome`, in the inbox event's transaction: a payment counts once.
 */

const O = schema.orders;
export type Order = typeof O.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ApplyResult = "paid" | "flagged" | "failed" | "expired" | "unchanged" | "unknown_order";

/**
 * Applies a paid, failed or expired outcome to its order, with the order row locked:
 * - paid with the order's amount and currency → paid: a credit lot with the pack's credits, a
 *   receipt number and email, and the sale posted (last). A payment that lands on a failed or
 *   expired order still counts: the buyer's money was taken.
 * - paid with another amount or currency → the order is flagged (flag_reason), nothing granted; an admin decides.
 * - failed / expired → only a pending, unflagged order changes; a paid one is never downgraded.
 * Any delivery order of the same events ends in the same state.
 */
export async function applyPaymentOutcome(
  tx: Tx,
  outcome: Extract<PaymentOutcome, { kind: "paid" | "failed" | "expired" }>,
  now = new Date(),
): Promise<ApplyResult> {
  if (!UUID.test(outcome.orderId)) return "unknown_order";
  const order = await ORDER_ROW.first(tx, LOCK_ORDER, [outcome.orderId]);
  if (!order) return "unknown_order";

  if (outcome.kind !== "paid") {
    if (order.status !== "pending" || order.flagReason !== null) return "unchanged";
    await tx.update(O).set({ status: outcome.kind, updatedAt: now }).where(eq(O.id, order.id));
    return outcome.kind;
  }

  if (order.status === "paid" || order.status === "refunded" || order.flagReason !== null) return "unchanged";
  if (outcome.amount !== order.amount || outcome.currency.toUpperCase() !== order.currency) {
    const flagReason = `paid ${outcome.amount} ${outcome.currency} for an order of ${order.amount} ${order.currency}`;
    await tx.update(O).set({ flagReason, paymentRef: outcome.paymentRef, updatedAt: now }).where(eq(O.id, order.id));
    return "flagged";
  }
  if (order.itemType !== "credit_pack" || !order.credits || !order.validityDays || !order.sessionMinutes)
    throw new Error(`order ${order.id} sells ${order.itemType}, which this version cannot grant`);

  const lot = await openCreditLot(tx, {
    learnerId: order.buyerId,
    sessions: order.credits,
    validityDays: order.validityDays,
    sessionMinutes: order.sessionMinutes,
    packId: order.itemId,
    description: `${order.description}: ${order.credits} session credits (order ${order.id})`,
    now,
  });
  const paid = await ORDER_ROW.first(tx, MARK_PAID, [order.id, now, outcome.paymentRef, lot.id]);
  if (!paid) throw new Error(`order ${order.id} vanished while being paid`);
  await enqueueReceiptEmail(tx, paid);
  await post(
    tx,
    recordPlatformSale(
      { currency: order.currency, amount: order.amount },
      {
        description: `${order.description} (receipt ${formatReceiptNumber(paid.receiptNumber ?? 0)})`,
        reference: { type: "order", id: order.id },
        metadata: { provider: order.provider, paymentRef: outcome.paymentRef, creditLotId: lot.id },
      },
    ),
  );
  return "paid";
}

// Every payment applied runs these: named statements, built once.
const ORDER_ROW = plainRow(O);
const LOCK_ORDER = {
  name: "orders_lock",
  text: `select ${ORDER_ROW.columns} from orders where id = $1 for update`,
};
/** $1 the order, $2 paid at, $3 the provider's payment reference, $4 the credit lot granted. */
const MARK_PAID = {
  name: "orders_mark_paid",
  text: `update orders set status = 'paid', paid_at = $2, payment_ref = $3, credit_lot_id = $4,
    receipt_number = nextval('order_receipt_number_seq'), updated_at = $2
    where id = $1 returning ${ORDER_ROW.columns}`,
};

/** What the buyer sees of an order (no provider secrets, no internal flag text). */
export function orderView(order: Order) {
  return {
    id: order.id,
    itemType: order.itemType,
    itemId: order.itemId,
    description: order.description,
    credits: order.credits,
    sessionMinutes: order.sessionMinutes,
    validityDays: order.validityDays,
    currency: order.currency,
    amount: order.amount,
    taxAmount: order.taxAmount,
    taxLabel: order.taxLabel,
    status: order.status,
    provider: order.provider,
    /** a payment arrived that does not match: an admin is looking at it */
    underReview: order.flagReason !== null,
    checkoutUrl: order.status === "pending" && order.flagReason === null ? order.checkoutUrl : null,
    refundedAmount: order.refundedAmount,
    receiptNumber: order.receiptNumber === null ? null : formatReceiptNumber(order.receiptNumber),
    createdAt: order.createdAt,
    paidAt: order.paidAt,
    expiresAt: order.expiresAt,
  };
}

/** One of the buyer's own orders; another's (or none) is ORDER_NOT_FOUND. */
export async function requireOwnOrder(db: DbOrTx, buyerId: string, orderId: string): Promise<Order> {
  const [order] = await db
    .select()
    .from(O)
    .where(and(eq(O.id, orderId), eq(O.buyerId, buyerId)));
  if (!order) throw new AppError("ORDER_NOT_FOUND", "No order of yours with that id");
  return order;
}

/** The buyer's orders, newest first. */
export async function listOrders(db: DbOrTx, buyerId: string, input: ListOrdersInput) {
  const where = eq(O.buyerId, buyerId);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(O)
      .where(where)
      .orderBy(desc(O.createdAt), desc(O.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(O).where(where),
  ]);
  return { items: rows.map(orderView), total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}

const EXPIRY_BATCH = 200;

/**
 * Pending orders past their deadline become expired, a batch at a time until none is left. A
 * flagged order waits for an admin instead; one a webhook is applying right now (locked) is left for
 * the next run. A payment that arrives later still wins (applyPaymentOutcome).
 */
export async function expireOrders(db: Db, now = new Date()): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = db
      .select({ id: O.id })
      .from(O)
      .where(and(eq(O.status, "pending"), isNull(O.flagReason), lte(O.expiresAt, now)))
      .orderBy(asc(O.expiresAt))
      .limit(EXPIRY_BATCH)
      .for("update", { skipLocked: true });
    const rows = await db
      .update(O)
      .set({ status: "expired", updatedAt: now })
      .where(inArray(O.id, due))
      .returning({ id: O.id });
    expired += rows.length;
    if (rows.length < EXPIRY_BATCH) return expired;
  }
}
