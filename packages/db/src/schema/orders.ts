import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { creditLots } from "./tutoring.ts";

/** What an order buys; only credit packs are sold so far (courses, videos and live classes come later). */
export const orderItemType = pgEnum("order_item_type", ["credit_pack", "course", "video", "live_class"]);

/**
 * pending → paid | failed | expired; paid → refunded (all of it; a partial refund stays paid).
 * A late failure never downgrades a paid order.
 */
export const orderStatus = pgEnum("order_status", ["pending", "paid", "failed", "expired", "refunded"]);

/** Receipt numbers ("LEC-000123"): one per paid order, in payment order. */
export const orderReceiptNumberSeq = pgSequence("order_receipt_number_seq", { startWith: 1 });

/**
 * One attempt to buy one item through a payment provider. The amount is computed on the server
 * from the item's price (snapshotted with its description and, for a pack, its credits), and the
 * provider's payment is applied to it once: paid opens the credit lot and posts the sale.
 */
export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    buyerId: text("buyer_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    itemType: orderItemType("item_type").notNull(),
    /** the pack (or course, video, class) bought; no foreign key since the type decides the table */
    itemId: uuid("item_id").notNull(),
    /** what was bought, as the buyer saw it when ordering */
    description: text("description").notNull(),
    /** a pack's credits, session length and validity when ordered: what the paid order grants */
    credits: integer("credits"),
    sessionMinutes: integer("session_minutes"),
    validityDays: integer("validity_days"),
    currency: text("currency").notNull(),
    /** minor units, tax included */
    amount: bigint("amount", { mode: "number" }).notNull(),
    /** the tax part of `amount` (TAX_RATE_BASIS_POINTS when ordered) */
    taxAmount: bigint("tax_amount", { mode: "number" }).notNull().default(0),
    /** the tax's name on the receipt (TAX_LABEL when ordered); null: no tax line */
    taxLabel: text("tax_label"),
    status: orderStatus("status").notNull().default("pending"),
    provider: text("provider").notNull(),
    /** the provider's checkout attempt (Stripe session id, Paystack reference, Paymob order id) */
    providerRef: text("provider_ref"),
    /** the provider's payment (what a refund needs) */
    paymentRef: text("payment_ref"),
    checkoutUrl: text("checkout_url"),
    /** the lot the paid order opened */
    creditLotId: uuid("credit_lot_id").references(() => creditLots.id, { onDelete: "restrict" }),
    refundedAmount: bigint("refunded_amount", { mode: "number" }).notNull().default(0),
    /** why a payment was not applied (amount or currency differs from the order's): waits for an admin */
    flagReason: text("flag_reason"),
    receiptNumber: bigint("receipt_number", { mode: "number" }).unique("orders_receipt_number_unique"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("orders_provider_ref_unique").on(t.provider, t.providerRef),
    check("orders_amount_bounded", sql`${t.amount} > 0 AND ${t.amount} <= 1000000000000000`),
    check("orders_tax_within_amount", sql`${t.taxAmount} >= 0 AND ${t.taxAmount} <= ${t.amount}`),
    check("orders_refunded_within_amount", sql`${t.refundedAmount} >= 0 AND ${t.refundedAmount} <= ${t.amount}`),
    check("orders_currency_known", sql`${t.currency} IN ('USD', 'GBP', 'EUR', 'NGN', 'EGP')`),
    check("orders_provider_known", sql`${t.provider} IN ('stripe', 'paystack', 'paymob', 'local')`),
    check(
      "orders_pack_snapshot",
      sql`${t.itemType} <> 'credit_pack' OR (${t.credits} > 0 AND ${t.sessionMinutes} > 0 AND ${t.validityDays} > 0)`,
    ),
    // Paid (and later refunded) orders carry their payment, receipt and, for a pack, the lot it opened.
    check(
      "orders_paid_complete",
      sql`${t.status} NOT IN ('paid', 'refunded') OR (${t.paidAt} IS NOT NULL AND ${t.paymentRef} IS NOT NULL
        AND ${t.receiptNumber} IS NOT NULL AND (${t.itemType} <> 'credit_pack' OR ${t.creditLotId} IS NOT NULL))`,
    ),
    // Nothing was granted to an order that was never paid.
    check(
      "orders_unpaid_grants_nothing",
      sql`${t.status} IN ('paid', 'refunded') OR (${t.paidAt} IS NULL AND ${t.creditLotId} IS NULL AND ${t.receiptNumber} IS NULL)`,
    ),
    check("orders_refunded_in_full", sql`${t.status} <> 'refunded' OR ${t.refundedAmount} = ${t.amount}`),
    index("orders_buyer_idx").on(t.buyerId, t.createdAt.desc()),
    index("orders_status_created_idx").on(t.status, t.createdAt.desc()),
    index("orders_pending_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'pending' AND ${t.flagReason} IS NULL`),
  ],
);

/**
 * The local provider's own record of what the buyer chose on its checkout page (pay or decline),
 * one per order: what a real provider keeps on its side, so a lookup finds a payment whose
 * webhook never arrived. The first choice stands.
 */
export const localPayments = pgTable("local_payments", {
  orderId: uuid("order_id")
    .primaryKey()
    .references(() => orders.id, { onDelete: "cascade" }),
  eventId: text("event_id").notNull(),
  type: text("type").notNull(),
  payload: jsonb("payload").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
