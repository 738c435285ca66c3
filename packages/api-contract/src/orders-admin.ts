import { z } from "zod";
import { PAGE_MAX, PAGE_SIZE_MAX } from "./admin.ts";
import { Currency } from "./tutoring.ts";

/** Order states as the console filters them (the `orders.status` enum). */
export const ADMIN_ORDER_STATUSES = ["pending", "paid", "failed", "expired", "refunded"] as const;
/** The payment providers an order can go through. */
export const ADMIN_ORDER_PROVIDERS = ["stripe", "paystack", "paymob", "local"] as const;
export const REFUND_STATUSES = ["requested", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** The longest reason an admin can give for a refund (the `order_refunds` CHECK says the same). */
export const REFUND_REASON_MAX = 500;
/** The revenue report covers at most this many months at once. */
export const REVENUE_MAX_MONTHS = 36;

export const ListAdminOrdersInput = z.object({
  /** the buyer's name or email, or a provider, payment or receipt reference */
  query: z.string().trim().max(200).default(""),
  status: z.enum(ADMIN_ORDER_STATUSES).optional(),
  provider: z.enum(ADMIN_ORDER_PROVIDERS).optional(),
  currency: Currency.optional(),
  /** created at or after */
  from: z.date().optional(),
  /** created before */
  to: z.date().optional(),
  page: z.number().int().min(1).max(PAGE_MAX).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
});
export type ListAdminOrdersInput = z.infer<typeof ListAdminOrdersInput>;

export const AdminOrderIdInput = z.object({ orderId: z.uuid() });
export type AdminOrderIdInput = z.infer<typeof AdminOrderIdInput>;

export const RefundOrderInput = z.object({
  orderId: z.uuid(),
  reason: z.string().trim().min(1).max(REFUND_REASON_MAX),
});
export type RefundOrderInput = z.infer<typeof RefundOrderInput>;

/** Months [from, to] inclusive, by their first day (UTC); at most REVENUE_MAX_MONTHS of them. */
export const RevenueInput = z
  .object({ from: z.date(), to: z.date() })
  .refine((r) => r.from <= r.to, { message: "The start must not be after the end", path: ["to"] })
  .refine(
    (r) =>
      (r.to.getUTCFullYear() - r.from.getUTCFullYear()) * 12 + r.to.getUTCMonth() - r.from.getUTCMonth() <
      REVENUE_MAX_MONTHS,
    { message: `At most ${REVENUE_MAX_MONTHS} months at once`, path: ["to"] },
  );
export type RevenueInput = z.infer<typeof RevenueInput>;
