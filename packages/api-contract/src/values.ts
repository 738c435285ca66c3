import type { Currency } from "./tutoring.ts";

/*
 * Plain values the apps' first screens need, kept apart from the zod schemas: with the package free of
 * side effects, a bundle that takes only these leaves zod out until a form needs it.
 */

export const LOCALES = ["en", "ar"] as const;

export const ROLES = ["learner", "teacher", "admin"] as const;

/** Deeper pages cost the database a long OFFSET scan; narrow the search instead. */
export const PAGE_MAX = 1000;

/** The users list's sort fields and longest search (the console's first page reads both from its URL). */
export const USER_SORT_FIELDS = ["name", "email", "createdAt", "role"] as const;
export const USER_QUERY_MAX = 200;

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
  "payments.checkout.start",
  // money: refunds — refunds and the money console (H3)
  "admin.orders.refund",
  // money: wallets — wallets (H5)
  "admin.wallets.adjust",
  // money: withdrawals — withdrawals and payouts (H6)
  "withdrawals.request",
  "withdrawals.confirm",
  "withdrawals.cancel",
  "admin.withdrawals.approve",
  "admin.withdrawals.reject",
  "admin.withdrawals.markPaid",
  "admin.withdrawals.markFailed",
];
