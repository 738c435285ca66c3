import { CURRENCIES, type Currency, type PackPrices, type StartCheckoutInput } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { listActivePacks } from "../tutoring/credits.ts";
import { applyEvent, providerEventHandlers, recordEvent } from "./inbox.ts";
import { orderView, requireOwnOrder } from "./orders.ts";
import type { PaymentRegistry } from "./providers/registry.ts";

/**
 * Starting a checkout and confirming it from the return page. The amount comes from the pack's
 * price in the chosen currency, never from the client. The order is committed before the provider
 * is called, and the provider is called outside any transaction (no connection or lock held while
 * a remote API answers).
 */

const O = schema.orders;

export interface Buyer {
  id: string;
  email: string;
  name: string;
}

/** Where the browser comes back after the provider's page (the web app's return page). */
export const returnUrlFor = (env: Pick<Env, "WEB_URL">, orderId: string, cancelled = false) => {
  const url = new URL("/checkout/return", env.WEB_URL);
  url.searchParams.set("orderId", orderId);
  if (cancelled) url.searchParams.set("cancelled", "1");
  return url.toString();
};

/** The tax included in a price at a rate in basis points (a price of 120 at 2000 bp holds 20 of tax). */
export const includedTax = (amount: number, basisPoints: number) =>
  basisPoints <= 0 ? 0 : Math.round((amount * basisPoints) / (10_000 + basisPoints));

export async function startCheckout(
  deps: { db: Db; env: Env; payments: PaymentRegistry; logger?: Logger },
  buyer: Buyer,
  input: StartCheckoutInput,
  now = new Date(),
) {
  const { db, env, payments } = deps;
  const [pack] = await db.select().from(schema.creditPacks).where(eq(schema.creditPacks.id, input.packId));
  if (!pack?.active) throw new AppError("PACK_NOT_FOUND", "No credit pack on sale with that id");
  const amount = (pack.prices as PackPrices)[input.currency];
  if (!amount || amount <= 0) throw new AppError("PRICE_NOT_AVAILABLE", `This pack is not sold in ${input.currency}`);
  const provider = payments.forCurrency(input.currency);
  const expiresAt = new Date(now.getTime() + env.ORDER_EXPIRY_MINUTES * 60_000);
  const [order] = await db
    .insert(O)
    .values({
      buyerId: buyer.id,
      itemType: "credit_pack",
      itemId: pack.id,
      description: pack.name,
      credits: pack.sessions,
      sessionMinutes: pack.sessionMinutes,
      validityDays: pack.validityDays,
      currency: input.currency,
      amount,
      taxAmount: env.TAX_LABEL ? includedTax(amount, env.TAX_RATE_BASIS_POINTS) : 0,
      taxLabel: env.TAX_LABEL && env.TAX_RATE_BASIS_POINTS > 0 ? env.TAX_LABEL : null,
      provider: provider.name,
      expiresAt,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!order) throw new Error("order insert returned nothing");

  let started: Awaited<ReturnType<typeof provider.startCheckout>>;
  try {
    started = await provider.startCheckout({
      orderId: order.id,
      amount,
      currency: input.currency,
      description: `Lectern · ${pack.name} (${pack.sessions} sessions)`,
      buyer,
      returnUrl: returnUrlFor(env, order.id),
      cancelUrl: returnUrlFor(env, order.id, true),
      expiresAt,
    });
  } catch (error) {
    deps.logger?.warn({ err: error, orderId: order.id, provider: provider.name }, "checkout not started");
    await db
      .update(O)
      .set({ status: "failed", updatedAt: new Date() })
      .where(and(eq(O.id, order.id), eq(O.status, "pending")));
    throw new AppError("PAYMENT_PROVIDER_UNAVAILABLE", "The payment provider did not open a checkout", {
      cause: error,
    });
  }
  await db
    .update(O)
    .set({ providerRef: started.providerRef, checkoutUrl: started.url, updatedAt: new Date() })
    .where(eq(O.id, order.id));
  return { orderId: order.id, url: started.url };
}

/**
 * The return page asks: the provider is looked up (its webhook may be late or lost) and what it
 * says goes through the same inbox and apply path as a webhook, so it counts once either way.
 */
export async function confirmOrder(
  deps: { db: Db; payments: PaymentRegistry; logger?: Logger },
  buyerId: string,
  orderId: string,
) {
  const { db, payments } = deps;
  const order = await requireOwnOrder(db, buyerId, orderId);
  const provider = payments.providerByName(order.provider);
  if (order.status === "pending" && order.flagReason === null && order.providerRef && provider) {
    const event = await provider.lookup({ id: order.id, providerRef: order.providerRef });
    if (event && provider.interpret(event)) {
      await recordEvent(db, provider.name, event);
      try {
        await applyEvent(db, provider.name, event.id, providerEventHandlers[provider.name] ?? {});
      } catch (error) {
        // Another request (the webhook itself) is applying it right now: the page polls again.
        if (!(error instanceof AppError && error.code === "PROVIDER_EVENT_BUSY")) throw error;
      }
    }
  }
  return orderView(await requireOwnOrder(db, buyerId, orderId));
}

/**
 * The packs on sale with their prices, the currencies they can be bought in, and the buyer's
 * default currency: EGP for Arabic readers and USD otherwise, when some pack is sold in it.
 */
export async function packsForBuyer(db: Db, locale: string | null | undefined) {
  const packs = (await listActivePacks(db))
    .map((p) => ({
      ...p,
      prices: Object.fromEntries(Object.entries(p.prices).filter(([, price]) => (price ?? 0) > 0)) as PackPrices,
    }))
    .filter((p) => Object.keys(p.prices).length > 0);
  const currencies = CURRENCIES.filter((c) => packs.some((p) => p.prices[c] !== undefined));
  const preferred: Currency = locale === "ar" ? "EGP" : "USD";
  const defaultCurrency = currencies.includes(preferred) ? preferred : (currencies[0] ?? preferred);
  return { packs, currencies, defaultCurrency };
}
