import type { Currency } from "./tutoring.ts";

/*
 * Plain values the apps' first screens need, kept apart from the zod schemas: with the package free of
 * side effects, a bundle that takes only these leaves zod out until a form needs it.
 */

export const LOCALES = ["en", "ar"] as const;

export const ASSESSMENT_MAX_WORDS = 600;

/** Digits after the decimal point of each currency's major unit. */
export const CURRENCY_MINOR_DIGITS: Record<Currency, number> = { USD: 2, GBP: 2, EUR: 2, NGN: 2, EGP: 2 };

/** The header that makes a mutation idempotent; the apps send a fresh one per user action. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/**
 * The mutations that honour Idempotency-Key (the server's `.use(idempotent)`; a test keeps the two in step):
 * the apps' links retry these after a lost response, knowing a retry replays rather than repeats.
 */
export const IDEMPOTENT_PROCEDURES: readonly string[] = [
  "tutoring.sessions.book",
  "tutoring.sessions.reschedule",
  "tutoring.sessions.cancel",
  "admin.sessions.create",
  "admin.sessions.cancel",
  "admin.sessions.reverse",
  "admin.sessions.resolveDispute",
  "admin.credits.grant",
  // money: checkout — checkout and orders (H1)
  // money: refunds — refunds and the money console (H3)
  // money: wallets — wallets (H5)
  // money: withdrawals — withdrawals and payouts (H6)
];
