import type { AddPayoutMethodInput, Currency, PayoutMethodKind } from "@lectern/api-contract";
import { type Env, paymentProvidersEnabled } from "@lectern/config";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { createPaystackPayouts } from "../payments/providers/payouts-paystack.ts";
import { createStripeConnectPayouts } from "../payments/providers/payouts-stripe.ts";

/**
 * Where a creator's withdrawals go, one method per row and currency. `local` is the embedded
 * default (no provider keys at all), `manual` a bank transfer an admin makes by hand (EGP, and the
 * fallback everywhere), Stripe Connect for USD/GBP/EUR and Paystack for NGN when their keys are set.
 * Details never hold secrets: provider ids, a masked account number, the bank's name.
 */

const M = schema.payoutMethods;
export type PayoutMethod = typeof M.$inferSelect;

const STRIPE_CURRENCIES: readonly Currency[] = ["USD", "GBP", "EUR"];

/** The kinds a creator may add for a currency, given which providers this deployment has keys for. */
export function availableKinds(env: Env, currency: Currency): PayoutMethodKind[] {
  const enabled = paymentProvidersEnabled(env);
  // In the order the form offers them: the embedded default first, then the providers, manual last.
  const kinds: PayoutMethodKind[] = [];
  if (!enabled.stripe && !enabled.paystack && !enabled.paymob) kinds.push("local");
  if (enabled.stripe && STRIPE_CURRENCIES.includes(currency)) kinds.push("stripe_connect");
  if (enabled.paystack && currency === "NGN") kinds.push("paystack");
  kinds.push("manual");
  return kinds;
}

const masked = (accountNumber: string) => `····${accountNumber.slice(-4)}`;

/** The creator's methods (removed ones left out), newest first. */
export async function listMethods(db: DbOrTx, userId: string) {
  return db
    .select({
      id: M.id,
      kind: M.kind,
      currency: M.currency,
      label: M.label,
      status: M.status,
      createdAt: M.createdAt,
    })
    .from(M)
    .where(and(eq(M.userId, userId), isNull(M.removedAt)))
    .orderBy(desc(M.createdAt));
}

/** Where Stripe sends the creator back to after onboarding: the payout methods page, which checks readiness. */
const onboardingReturnUrl = (env: Env, methodId: string) =>
  `${new URL("/wallet/payout-methods", env.WEB_URL)}?method=${encodeURIComponent(methodId)}`;

/**
 * Adds a method. Stripe Connect: an Express account is created (the method waits, pending, until
 * Stripe says it can be paid) and the answer carries the onboarding link to send the creator to.
 * Paystack: the account is resolved at the bank (its holder's name) and saved as a transfer recipient.
 * Provider calls happen before the insert, outside any transaction.
 */
export async function addMethod(db: Db, env: Env, user: { id: string; email: string }, input: AddPayoutMethodInput) {
  if (!availableKinds(env, input.currency).includes(input.kind))
    throw new AppError("PAYOUT_METHOD_UNAVAILABLE", "This payout method is not offered for that currency");
  const row = await (async (): Promise<Pick<PayoutMethod, "label" | "details" | "status">> => {
    switch (input.kind) {
      case "local":
        return { label: "Local test payouts", details: {}, status: "ready" };
      case "manual":
        return {
          label: `${input.bankName} ${masked(input.accountNumber)}`,
          details: {
            accountName: input.accountName,
            bankName: input.bankName,
            accountNumber: input.accountNumber,
            routing: input.routing ?? null,
          },
          status: "ready",
        };
      case "stripe_connect": {
        const { accountId } = await createStripeConnectPayouts(env).createConnectAccount({
          userId: user.id,
          email: user.email,
        });
        return { label: `Stripe ${input.currency}`, details: { accountId }, status: "pending" };
      }
      case "paystack": {
        const paystack = createPaystackPayouts(env);
        const account = await paystack.resolveAccount(input.accountNumber, input.bankCode);
        if (!account) throw new AppError("PAYOUT_ACCOUNT_INVALID", "The bank could not confirm this account");
        const { recipientCode } = await paystack.createRecipient({
          name: account.accountName,
          accountNumber: account.accountNumber,
          bankCode: input.bankCode,
        });
        return {
          label: `${account.accountName} ${masked(account.accountNumber)}`,
          details: {
            recipientCode,
            bankCode: input.bankCode,
            accountName: account.accountName,
            accountNumber: masked(account.accountNumber),
          },
          status: "ready",
        };
      }
    }
  })();
  const [method] = await db
    .insert(M)
    .values({ userId: user.id, kind: input.kind, currency: input.currency, ...row })
    .returning({
      id: M.id,
      kind: M.kind,
      currency: M.currency,
      label: M.label,
      status: M.status,
      createdAt: M.createdAt,
    });
  if (!method) throw new Error("payout method insert returned nothing");
  const onboardingUrl =
    input.kind === "stripe_connect" ? (await onboardingLink(db, env, user.id, method.id)).url : null;
  return { ...method, onboardingUrl };
}

async function ownStripeMethod(db: DbOrTx, userId: string, methodId: string) {
  const method = await ownMethod(db, userId, methodId);
  const accountId = (method.details as { accountId?: unknown }).accountId;
  if (method.kind !== "stripe_connect" || typeof accountId !== "string")
    throw new AppError("PAYOUT_METHOD_NOT_FOUND", "No such Stripe payout method");
  return { method, accountId };
}

/** A fresh Stripe onboarding link for a pending Stripe method (they expire within minutes: one per visit). */
export async function onboardingLink(db: DbOrTx, env: Env, userId: string, methodId: string) {
  const { accountId } = await ownStripeMethod(db, userId, methodId);
  const back = onboardingReturnUrl(env, methodId);
  return createStripeConnectPayouts(env).onboardingLink(accountId, back, back);
}

/** Asks Stripe whether a pending method's account can be paid now; ready once it can. */
export async function refreshMethod(db: Db, env: Env, userId: string, methodId: string) {
  const { method, accountId } = await ownStripeMethod(db, userId, methodId);
  if (method.status === "pending" && (await createStripeConnectPayouts(env).accountReady(accountId)))
    await db.update(M).set({ status: "ready" }).where(eq(M.id, methodId));
  const [updated] = (await listMethods(db, userId)).filter((m) => m.id === methodId);
  return updated;
}

/** Nigerian banks for the Paystack form (only where Paystack is set up). */
export async function paystackBanks(env: Env) {
  if (!paymentProvidersEnabled(env).paystack) return [];
  return createPaystackPayouts(env).listBanks();
}

/** A creator's own method, for a withdrawal or a removal; anyone else's is "not found". */
export async function ownMethod(db: DbOrTx, userId: string, methodId: string) {
  const [method] = await db
    .select()
    .from(M)
    .where(and(eq(M.id, methodId), eq(M.userId, userId), isNull(M.removedAt)));
  if (!method) throw new AppError("PAYOUT_METHOD_NOT_FOUND", "No such payout method");
  return method;
}

/** Removes a method (kept for the history of its withdrawals); refused while a withdrawal in flight uses it. */
export async function removeMethod(db: Db, userId: string, methodId: string) {
  return db.transaction(async (tx) => {
    const [method] = await tx
      .select({ id: M.id })
      .from(M)
      .where(and(eq(M.id, methodId), eq(M.userId, userId), isNull(M.removedAt)))
      .for("update");
    if (!method) throw new AppError("PAYOUT_METHOD_NOT_FOUND", "No such payout method");
    const [busy] = await tx
      .select({ id: schema.withdrawals.id })
      .from(schema.withdrawals)
      .where(
        and(
          eq(schema.withdrawals.methodId, methodId),
          inArray(schema.withdrawals.status, ["awaiting_code", "in_review", "approved", "processing"]),
        ),
      )
      .limit(1);
    if (busy) throw new AppError("PAYOUT_METHOD_IN_USE", "A withdrawal in progress uses this payout method");
    await tx.update(M).set({ removedAt: sql`now()` }).where(eq(M.id, methodId));
    return { id: methodId };
  });
}
