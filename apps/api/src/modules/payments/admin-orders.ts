import type { ListAdminOrdersInput } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, count, desc, eq, gte, ilike, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import { listRefunds, refundableOf } from "./refunds.ts";

/* The console's view of orders: search, one order with everything about it. Reads only. */

const { orders, users, providerEvents, ledgerTransactions, ledgerEntries, ledgerAccounts } = schema;

const orderColumns = {
  id: orders.id,
  buyerId: orders.buyerId,
  buyerName: users.name,
  buyerEmail: users.email,
  itemType: orders.itemType,
  description: orders.description,
  credits: orders.credits,
  currency: orders.currency,
  amount: orders.amount,
  taxAmount: orders.taxAmount,
  refundedAmount: orders.refundedAmount,
  status: orders.status,
  provider: orders.provider,
  providerRef: orders.providerRef,
  paymentRef: orders.paymentRef,
  flagReason: orders.flagReason,
  receiptNumber: orders.receiptNumber,
  createdAt: orders.createdAt,
  paidAt: orders.paidAt,
};

/** "LEC-000123", "lec-123" or "123" → 123: how people type a receipt number. */
const receiptNumberOf = (query: string) => {
  const match = /^(?:lec-)?0*(\d{1,15})$/i.exec(query);
  return match?.[1] ? Number(match[1]) : null;
};

/**
 * Orders, newest first, by buyer (name or email contains), provider or payment reference, receipt
 * number, status, provider, currency and creation date.
 */
export async function listOrders(db: DbOrTx, input: ListAdminOrdersInput) {
  const query = input.query;
  const receipt = query ? receiptNumberOf(query) : null;
  const text: SQL | undefined = query
    ? or(
        ilike(users.name, containsPattern(query)),
        ilike(users.email, containsPattern(query)),
        eq(orders.providerRef, query),
        eq(orders.paymentRef, query),
        receipt !== null ? eq(orders.receiptNumber, receipt) : undefined,
      )
    : undefined;
  const where = and(
    text,
    input.status ? eq(orders.status, input.status) : undefined,
    input.provider ? eq(orders.provider, input.provider) : undefined,
    input.currency ? eq(orders.currency, input.currency) : undefined,
    input.from ? gte(orders.createdAt, input.from) : undefined,
    input.to ? lt(orders.createdAt, input.to) : undefined,
  );
  const offset = (input.page - 1) * input.pageSize;
  const items = await db
    .select(orderColumns)
    .from(orders)
    .innerJoin(users, eq(users.id, orders.buyerId))
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(items.length, input.pageSize, offset, async () => {
    const [row] = await db
      .select({ value: count() })
      .from(orders)
      .innerJoin(users, eq(users.id, orders.buyerId))
      .where(where);
    return row?.value ?? 0;
  });
  return { items, total, page: input.page, pageSize: input.pageSize };
}

/**
 * One order for the console: the order and its buyer, what a refund would pay back now, its refunds,
 * the provider events that name it, and the ledger transactions it caused (sale, credits, refunds).
 */
export function getOrder(db: Db, orderId: string) {
  // One snapshot: a refund settling between two of these reads must not show half of itself.
  return db.transaction((tx) => readOrder(tx, orderId), { isolationLevel: "repeatable read", accessMode: "read only" });
}

async function readOrder(db: DbOrTx, orderId: string) {
  const [row] = await db
    .select({ order: orders, buyer: { id: users.id, name: users.name, email: users.email } })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.buyerId))
    .where(eq(orders.id, orderId));
  if (!row) throw new AppError("ORDER_NOT_FOUND", "No order with that id");
  const { order, buyer } = row;
  const refundable = await refundableOf(db, order, false);
  const refunds = await listRefunds(db, order);
  const refs = [order.id, order.providerRef, order.paymentRef, ...refunds.map((r) => r.providerRefundRef)].filter(
    (r): r is string => !!r,
  );
  // Providers shape their payloads differently; every one carries one of these references somewhere.
  const events = await db
    .select({
      id: providerEvents.id,
      eventId: providerEvents.eventId,
      type: providerEvents.type,
      status: providerEvents.status,
      attempts: providerEvents.attempts,
      lastError: providerEvents.lastError,
      receivedAt: providerEvents.receivedAt,
      processedAt: providerEvents.processedAt,
    })
    .from(providerEvents)
    .where(
      and(
        eq(providerEvents.provider, order.provider),
        or(...refs.map((ref) => sql`strpos(${providerEvents.payload}::text, ${JSON.stringify(ref)}) > 0`)),
      ),
    )
    .orderBy(desc(providerEvents.receivedAt))
    .limit(50);
  const references = [order.id, ...(order.creditLotId ? [order.creditLotId] : []), ...refunds.map((r) => r.id)];
  const transactions = await db
    .select({
      id: ledgerTransactions.id,
      kind: ledgerTransactions.kind,
      description: ledgerTransactions.description,
      createdAt: ledgerTransactions.createdAt,
    })
    .from(ledgerTransactions)
    .where(
      or(
        inArray(ledgerTransactions.referenceId, references),
        sql`${ledgerTransactions.metadata}->>'orderId' = ${order.id}`,
      ),
    )
    .orderBy(ledgerTransactions.createdAt, ledgerTransactions.id)
    .limit(100);
  const entries =
    transactions.length === 0
      ? []
      : await db
          .select({
            transactionId: ledgerEntries.transactionId,
            account: ledgerAccounts.kind,
            owned: sql<boolean>`${ledgerAccounts.ownerId} is not null`,
            amount: ledgerEntries.amount,
            currency: ledgerEntries.currency,
          })
          .from(ledgerEntries)
          .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, ledgerEntries.accountId))
          .where(
            inArray(
              ledgerEntries.transactionId,
              transactions.map((t) => t.id),
            ),
          )
          .orderBy(ledgerEntries.id);
  return {
    order: {
      id: order.id,
      itemType: order.itemType,
      description: order.description,
      credits: order.credits,
      sessionMinutes: order.sessionMinutes,
      validityDays: order.validityDays,
      currency: order.currency,
      amount: order.amount,
      taxAmount: order.taxAmount,
      refundedAmount: order.refundedAmount,
      status: order.status,
      provider: order.provider,
      providerRef: order.providerRef,
      paymentRef: order.paymentRef,
      creditLotId: order.creditLotId,
      flagReason: order.flagReason,
      receiptNumber: order.receiptNumber,
      createdAt: order.createdAt,
      paidAt: order.paidAt,
      expiresAt: order.expiresAt,
    },
    buyer,
    /** what a refund asked for now would pay back; nothing while one is in flight */
    refundable: refunds.some((r) => r.status === "requested")
      ? { amount: 0, credits: 0, inFlight: true }
      : { amount: refundable.amount, credits: refundable.credits, inFlight: false },
    refunds,
    events,
    transactions: transactions.map((t) => ({ ...t, entries: entries.filter((e) => e.transactionId === t.id) })),
  };
}
