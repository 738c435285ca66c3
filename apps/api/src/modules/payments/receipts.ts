import { formatReceiptNumber, toMajorUnits } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { runStatement, schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { enqueueEmail } from "../notifications/service.ts";
import type { Order } from "./orders.ts";
import { requireOwnOrder } from "./orders.ts";

/** Receipts of paid orders: the email sent when an order is paid, and the receipt the web app shows and downloads. */

const intlLocale = (locale: string) => (locale === "ar" ? "ar-EG" : "en-GB");

// Building an Intl formatter costs far more than using one: one per language, currency and zone.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
const cached = <F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F => {
  let format = formatters.get(key) as F | undefined;
  if (!format) {
    format = make();
    formatters.set(key, format);
  }
  return format;
};

/** "12.50 US$" in the reader's language; the exact decimal string goes to Intl, never a float. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const format = cached(
    `money:${locale}:${currency}`,
    () => new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency }),
  );
  // Intl formats a decimal string exactly (its type says number only).
  return format.format(toMajorUnits(amount, currency) as unknown as number);
}

const LABELS = {
  en: (label: string) => `${label} (included)`,
  ar: (label: string) => `${label} (مشمولة)`,
};

// Every payment applied reads its buyer: a named statement, built once.
const RECEIPT_BUYER = {
  name: "receipt_buyer",
  text: "select name, email, locale, timezone from users where id = $1",
};

/** The buyer's email about a paid order, in their language, added to the outbox in the payment's transaction. */
export async function enqueueReceiptEmail(tx: DbOrTx, order: Order): Promise<void> {
  const { rows } = await runStatement<{ name: string; email: string; locale: string; timezone: string }>(
    tx,
    RECEIPT_BUYER,
    [order.buyerId],
  );
  const [buyer] = rows;
  if (!buyer || order.receiptNumber === null || !order.paidAt) throw new Error(`order ${order.id} has no receipt yet`);
  const locale = buyer.locale === "ar" ? "ar" : "en";
  const taxLine =
    order.taxLabel && order.taxAmount > 0
      ? `${LABELS[locale](order.taxLabel)}: ${formatMoney(order.taxAmount, order.currency, locale)}`
      : null;
  await enqueueEmail(
    tx,
    { userId: order.buyerId, email: buyer.email, locale },
    {
      template: "payment-receipt",
      name: buyer.name,
      receiptNumber: formatReceiptNumber(order.receiptNumber),
      description: order.description,
      amount: formatMoney(order.amount, order.currency, locale),
      taxLine,
      paidOn: cached(
        `date:${locale}:${buyer.timezone}`,
        () => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "long", timeZone: buyer.timezone }),
      ).format(order.paidAt),
      provider: order.provider,
      providerRef: order.paymentRef ?? order.providerRef ?? order.id,
    },
  );
}

/** A paid (or refunded) order's receipt, for its buyer only. */
export async function getReceipt(db: DbOrTx, buyerId: string, orderId: string) {
  const order = await requireOwnOrder(db, buyerId, orderId);
  if ((order.status !== "paid" && order.status !== "refunded") || order.receiptNumber === null || !order.paidAt)
    throw new AppError("ORDER_NOT_PAID", "This order is not paid, so it has no receipt");
  const [buyer] = await db
    .select({ name: schema.users.name, email: schema.users.email })
    .from(schema.users)
    .where(eq(schema.users.id, buyerId));
  return {
    orderId: order.id,
    receiptNumber: formatReceiptNumber(order.receiptNumber),
    status: order.status,
    buyer: { name: buyer?.name ?? "", email: buyer?.email ?? "" },
    description: order.description,
    credits: order.credits,
    currency: order.currency,
    amount: order.amount,
    taxAmount: order.taxAmount,
    taxLabel: order.taxLabel,
    refundedAmount: order.refundedAmount,
    provider: order.provider,
    paymentRef: order.paymentRef ?? order.providerRef ?? order.id,
    paidAt: order.paidAt,
  };
}
