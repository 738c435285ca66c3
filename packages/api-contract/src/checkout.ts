import { z } from "zod";
import { Currency } from "./tutoring.ts";

/** Buying: checkout, orders and receipts (issue 8). Amounts are integer minor units, computed on the server. */

export const ORDER_STATUSES = ["pending", "paid", "failed", "expired", "refunded"] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const PAYMENT_PROVIDERS = ["stripe", "paystack", "paymob", "local"] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/**
 * How often one person may start a checkout: per user and per client address, counted in Postgres
 * (every API process shares the budget). Generous for a person, tight for a script opening orders.
 */
export const CHECKOUT_POLICY = {
  perUser: { max: 10, windowSeconds: 600 },
  perIp: { max: 30, windowSeconds: 600 },
} as const;

export const StartCheckoutInput = z.object({ packId: z.uuid(), currency: Currency });
export type StartCheckoutInput = z.infer<typeof StartCheckoutInput>;

export const OrderIdInput = z.object({ orderId: z.uuid() });
export type OrderIdInput = z.infer<typeof OrderIdInput>;

export const ListOrdersInput = z.object({
  page: z.number().int().min(1).max(1000).default(1),
  pageSize: z.number().int().min(1).max(50).default(20),
});
export type ListOrdersInput = z.infer<typeof ListOrdersInput>;

/** "LEC-000123": the receipt number people read, from the order's sequence number. */
export const formatReceiptNumber = (n: number) => `LEC-${String(n).padStart(6, "0")}`;
