import type { Currency } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import { asString, field, ProviderError } from "./http.ts";
import { callStripe, stripeClient } from "./stripe.ts";
import type { PayoutProvider, PayoutResult } from "./types.ts";

/**
 * Payouts to creators' Stripe Connect (Express) accounts (PROVIDERS.md §1 "Connect"): a transfer
 * from the platform balance to the creator's account, which Stripe then pays to their bank.
 * A transfer is final when created (there is no transfer.paid); a later `transfer.reversed`
 * takes it back (see payout-events.ts).
 */

const CURRENCIES = ["USD", "GBP", "EUR"] as const satisfies readonly Currency[];

export interface StripeConnectPayouts extends PayoutProvider {
  /** A new Express account able to receive transfers; store its id on the payout method. */
  createConnectAccount(input: { userId: string; email: string; country?: string }): Promise<{ accountId: string }>;
  /** A single-use Stripe-hosted onboarding link (expires within minutes: mint one per visit). */
  onboardingLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<{ url: string }>;
  /** Whether the account can be paid: payouts enabled and the transfers capability active. */
  accountReady(accountId: string): Promise<boolean>;
}

const ACCOUNT_ID = /^acct_[A-Za-z0-9]+$/;

export function createStripeConnectPayouts(env: Env): StripeConnectPayouts {
  const stripe = stripeClient(env);

  return {
    kind: "stripe_connect",
    currencies: CURRENCIES,

    async send(request): Promise<PayoutResult> {
      const accountId = asString(field(request.destination, "accountId"));
      if (!accountId || !ACCOUNT_ID.test(accountId)) {
        return { status: "failed", reason: "The payout method has no Stripe account" };
      }
      try {
        const transfer = await callStripe(() =>
          stripe.transfers.create(
            {
              amount: request.amount,
              currency: request.currency.toLowerCase(),
              destination: accountId,
              transfer_group: `withdrawal:${request.withdrawalId}`,
              metadata: { withdrawalId: request.withdrawalId },
            },
            // The same withdrawal retried (a job after a crash) gets the same transfer back.
            { idempotencyKey: `payout:${request.withdrawalId}` },
          ),
        );
        return { status: "paid", providerRef: transfer.id };
      } catch (error) {
        // A definite refusal (insufficient platform balance, account unable to receive) fails the
        // withdrawal so its funds are released; an unknown outcome is rethrown for a retry.
        if (error instanceof ProviderError && !error.retryable) {
          return { status: "failed", reason: error.message };
        }
        throw error;
      }
    },

    async createConnectAccount({ userId, email, country }) {
      const account = await callStripe(() =>
        stripe.accounts.create(
          {
            // The controller form of an Express account (account `type` is legacy in this API version).
            controller: {
              stripe_dashboard: { type: "express" },
              requirement_collection: "stripe",
              fees: { payer: "application" },
              losses: { payments: "application" },
            },
            capabilities: { transfers: { requested: true } },
            email,
            ...(country ? { country } : {}),
            metadata: { userId },
          },
          { idempotencyKey: `connect-account:${userId}` },
        ),
      );
      return { accountId: account.id };
    },

    async onboardingLink(accountId, refreshUrl, returnUrl) {
      const link = await callStripe(() =>
        stripe.accountLinks.create({
          account: accountId,
          type: "account_onboarding",
          refresh_url: refreshUrl,
          return_url: returnUrl,
        }),
      );
      return { url: link.url };
    },

    async accountReady(accountId) {
      const account = await callStripe(() => stripe.accounts.retrieve(accountId));
      return account.payouts_enabled === true && account.capabilities?.transfers === "active";
    },
  };
}
