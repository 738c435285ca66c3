import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { orders } from "./orders.ts";

/** requested: sent (or being sent) to the provider; succeeded / failed: the provider's settled answer. */
export const refundStatus = pgEnum("refund_status", ["requested", "succeeded", "failed"]);

/**
 * One refund of an order, as an admin asked for it. The credits it took back are removed from the lot
 * when it is requested (so the learner cannot spend them while the provider works) and restored if
 * it fails. A trigger (migration 0016) keeps the requested and succeeded refunds of an order within
 * its amount.
 */
export const orderRefunds = pgTable(
  "order_refunds",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "restrict" }),
    /** minor units of the order's currency */
    amount: bigint("amount", { mode: "number" }).notNull(),
    /** unused credits taken back from the order's lot (0 for a flagged order, which granted none) */
    creditsRemoved: integer("credits_removed").notNull().default(0),
    reason: text("reason").notNull(),
    status: refundStatus("status").notNull().default("requested"),
    /** the provider's id of the refund, once it answered */
    providerRefundRef: text("provider_refund_ref"),
    /** why the provider refused or failed it */
    failureReason: text("failure_reason"),
    requestedBy: text("requested_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp("settled_at", { withTimezone: true }),
  },
  (t) => [
    check("order_refunds_amount_bounded", sql`${t.amount} > 0 and ${t.amount} <= 1000000000000000`),
    check("order_refunds_credits_non_negative", sql`${t.creditsRemoved} >= 0`),
    check("order_refunds_reason_length", sql`char_length(${t.reason}) between 1 and 500`),
    check("order_refunds_settled_at", sql`(${t.status} = 'requested') = (${t.settledAt} is null)`),
    index("order_refunds_order_idx").on(t.orderId, t.createdAt),
    // One refund in flight per order: asking again re-sends that one (same provider idempotency key).
    uniqueIndex("order_refunds_one_requested_idx").on(t.orderId).where(sql`${t.status} = 'requested'`),
    index("order_refunds_provider_ref_idx").on(t.providerRefundRef),
  ],
);
