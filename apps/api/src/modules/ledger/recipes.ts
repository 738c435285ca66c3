import { CREDIT, type SystemAccount, type UserAccountKind } from "./accounts.ts";

/**
 * Posting recipes: every movement of value the platform knows, as a balanced ledger transaction
 * that `post()` writes. Domains build one with these functions and hand it to `post()`; they never
 * write entries or name system accounts.
 */

/** An account of a movement: a known one, a system account, or a user's account of a kind (opened on first use). */
export type Side =
  | { accountId: string }
  | { system: SystemAccount }
  | { owner: string; kind: Exclude<UserAccountKind, "credit_lot"> };

export type Leg = { amount: number; currency: string } & Side;

export interface Recipe {
  /** credit.grant, credit.reserve, credit.refund, ... (ledger_transactions.kind) */
  kind: string;
  description: string;
  actorId?: string | null;
  reference?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  /** Signed amounts; they must sum to zero per currency (the database checks each statement too). */
  entries: Leg[];
}

/** What a movement says about itself: for the history, the audit and the admin's session view. */
export type Memo = Pick<Recipe, "description" | "actorId" | "reference" | "metadata">;

const move = (kind: string, from: Side, to: Side, amount: number, currency: string, memo: Memo): Recipe => ({
  kind,
  ...memo,
  entries: [
    { ...from, amount: -amount, currency },
    { ...to, amount, currency },
  ],
});

const held = (learnerId: string): Side => ({ owner: learnerId, kind: "credit_held" });
const lot = (lotAccountId: string): Side => ({ accountId: lotAccountId });

/** New credits into a learner's lot. */
export const issueCredits = (lotAccountId: string, credits: number, memo: Memo) =>
  move("credit.grant", { system: "credit_issuance" }, lot(lotAccountId), credits, CREDIT, memo);

/** Booking: credits leave the lot and are held for the session (the learner's own row, no shared one). */
export const reserveCredit = (c: { learnerId: string; lotAccountId: string; credits: number }, memo: Memo) =>
  move("credit.reserve", lot(c.lotAccountId), held(c.learnerId), c.credits, CREDIT, memo);

/** Held credits go back into a lot (the one they came from, or a fresh one). */
export const returnCredit = (c: { learnerId: string; lotAccountId: string; credits: number }, memo: Memo) =>
  move("credit.refund", held(c.learnerId), lot(c.lotAccountId), c.credits, CREDIT, memo);

/** A late learner cancellation: the held credits are lost. */
export const forfeitCredit = (c: { learnerId: string; credits: number }, memo: Memo) =>
  move("credit.forfeit", held(c.learnerId), { system: "credit_forfeited" }, c.credits, CREDIT, memo);

/** A completed session uses its held credits. */
export const consumeCredit = (c: { learnerId: string; credits: number }, memo: Memo) =>
  move("credit.consume", held(c.learnerId), { system: "credit_consumed" }, c.credits, CREDIT, memo);

/** A reversed completion: the consumed credits are held again (then returned by `returnCredit`). */
export const unconsumeCredit = (c: { learnerId: string; credits: number }, memo: Memo) =>
  move("credit.reverse", { system: "credit_consumed" }, held(c.learnerId), c.credits, CREDIT, memo);

/** What an expired lot had left. */
export const expireCredits = (lotAccountId: string, credits: number, memo: Memo) =>
  move("credit.expire", lot(lotAccountId), { system: "credit_expired" }, credits, CREDIT, memo);

/** A teacher's pay for a completed session, into their earnings in the rate's currency. */
export const postEarnings = (c: { teacherId: string; currency: string; amount: number }, memo: Memo) =>
  move(
    "earnings.post",
    { system: "payroll_expense" },
    { owner: c.teacherId, kind: "wallet" },
    c.amount,
    c.currency,
    memo,
  );

/** That pay taken back (a reversed session). */
export const reverseEarnings = (c: { teacherId: string; currency: string; amount: number }, memo: Memo) =>
  move(
    "earnings.reverse",
    { owner: c.teacherId, kind: "wallet" },
    { system: "payroll_expense" },
    c.amount,
    c.currency,
    memo,
  );

// Money: sales, refunds, wallets and withdrawals. Amounts are minor units of `currency`.

const wallet = (ownerId: string): Side => ({ owner: ownerId, kind: "wallet" });
const walletHeld = (ownerId: string): Side => ({ owner: ownerId, kind: "wallet_held" });

/**
 * A paid order of something the platform sells itself (a credit pack): the buyer's payment, received
 * through a provider, is platform revenue. Post it with `issueCredits` in the same transaction.
 */
export const recordPlatformSale = (c: { currency: string; amount: number }, memo: Memo) =>
  move("sale.platform", { system: "payment_clearing" }, { system: "platform_revenue" }, c.amount, c.currency, memo);

/**
 * A paid order of a creator's content: the buyer's payment splits, in one transaction, into the
 * platform's fee and the creator's share, which lands in their wallet.
 */
export const recordCreatorSale = (
  c: { creatorId: string; currency: string; amount: number; platformFee: number },
  memo: Memo,
): Recipe => {
  if (c.platformFee < 0 || c.platformFee > c.amount) throw new Error("platform fee outside the sale amount");
  const share = c.amount - c.platformFee;
  return {
    kind: "sale.creator",
    ...memo,
    entries: [
      { system: "payment_clearing", amount: -c.amount, currency: c.currency },
      ...(c.platformFee > 0
        ? [{ system: "platform_revenue" as const, amount: c.platformFee, currency: c.currency }]
        : []),
      ...(share > 0 ? [{ ...wallet(c.creatorId), amount: share, currency: c.currency }] : []),
    ],
  };
};

/** A refund of a platform sale: the revenue goes back out through the provider. */
export const refundPlatformSale = (c: { currency: string; amount: number }, memo: Memo) =>
  move("refund.platform", { system: "platform_revenue" }, { system: "payment_clearing" }, c.amount, c.currency, memo);

/** The unused credits of a refunded purchase leave the learner's lot, in the refund's transaction. */
export const removeRefundedCredits = (lotAccountId: string, credits: number, memo: Memo) =>
  move("credit.refund_purchase", lot(lotAccountId), { system: "credit_refunded" }, credits, CREDIT, memo);

/** A withdrawal confirmed: the amount moves out of the wallet's available balance and is held for the payout. */
export const holdWithdrawal = (c: { ownerId: string; currency: string; amount: number }, memo: Memo) =>
  move("withdrawal.hold", wallet(c.ownerId), walletHeld(c.ownerId), c.amount, c.currency, memo);

/** A withdrawal rejected, cancelled or failed at the provider: the held amount is available again. */
export const releaseWithdrawal = (c: { ownerId: string; currency: string; amount: number }, memo: Memo) =>
  move("withdrawal.release", walletHeld(c.ownerId), wallet(c.ownerId), c.amount, c.currency, memo);

/** A withdrawal paid out by the provider: the held amount leaves the platform. */
export const payOutWithdrawal = (c: { ownerId: string; currency: string; amount: number }, memo: Memo) =>
  move("withdrawal.payout", walletHeld(c.ownerId), { system: "payout_clearing" }, c.amount, c.currency, memo);

/** An admin's audited correction of a wallet, with a reason: positive credits the wallet, negative debits it. */
export const adjustWallet = (c: { ownerId: string; currency: string; amount: number }, memo: Memo) =>
  c.amount > 0
    ? move("wallet.adjust", { system: "wallet_adjustment" }, wallet(c.ownerId), c.amount, c.currency, memo)
    : move("wallet.adjust", wallet(c.ownerId), { system: "wallet_adjustment" }, -c.amount, c.currency, memo);

/**
 * (H3, refunds) A refund the provider refused or failed: the credits its request took out of the lot
 * (`removeRefundedCredits`, taken at request time so the learner cannot spend them meanwhile) go back.
 */
export const restoreRefundedCredits = (lotAccountId: string, credits: number, memo: Memo) =>
  move("credit.refund_purchase_restore", { system: "credit_refunded" }, lot(lotAccountId), credits, CREDIT, memo);

/**
 * (H5, withdrawals) A payout the provider reversed after it was paid (a Stripe transfer reversal, a
 * Paystack transfer.reversed): the money is back with the platform, so it goes back to the creator's wallet.
 */
export const reverseWithdrawalPayout = (c: { ownerId: string; currency: string; amount: number }, memo: Memo) =>
  move("withdrawal.payout_reverse", { system: "payout_clearing" }, wallet(c.ownerId), c.amount, c.currency, memo);
