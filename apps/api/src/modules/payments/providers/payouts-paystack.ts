import type { Currency } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import { asString, field, ProviderError } from "./http.ts";
import { isPaystackNotFound, paystackClient } from "./paystack.ts";
import type { PayoutProvider, PayoutResult } from "./types.ts";

/**
 * Payouts to Nigerian bank accounts through Paystack transfers (PROVIDERS.md §2 "Transfers"): the
 * creator's account is resolved and saved as a transfer recipient once; each withdrawal is a
 * transfer whose reference is derived from the withdrawal id, so a retry never pays twice.
 */

const CURRENCIES = ["NGN"] as const satisfies readonly Currency[];

const REFERENCE_PREFIX = "wd-";

/**
 * A withdrawal's transfer reference: Paystack takes lowercase alphanumerics, `-` and `_`, 16 to 50
 * characters; a UUID withdrawal id with a prefix fits (39 characters).
 */
export function paystackTransferReference(withdrawalId: string): string {
  const reference = `${REFERENCE_PREFIX}${withdrawalId.toLowerCase()}`;
  if (!/^[a-z0-9_-]{16,50}$/.test(reference))
    throw new Error(`withdrawal id ${withdrawalId} makes no transfer reference`);
  return reference;
}

/** The withdrawal a transfer reference was made for; null for a transfer Lectern did not start. */
export function withdrawalIdFromReference(reference: unknown): string | null {
  if (typeof reference !== "string" || !reference.startsWith(REFERENCE_PREFIX)) return null;
  return reference.slice(REFERENCE_PREFIX.length) || null;
}

export interface PaystackBank {
  name: string;
  code: string;
}

export interface PaystackPayouts extends PayoutProvider {
  /** Active NGN banks, for the payout-method form. */
  listBanks(): Promise<PaystackBank[]>;
  /** The account holder's name for an account number at a bank; null when Paystack cannot resolve it. */
  resolveAccount(
    accountNumber: string,
    bankCode: string,
  ): Promise<{ accountNumber: string; accountName: string } | null>;
  /** Saves a resolved account as a transfer recipient; store `recipientCode` on the payout method. */
  createRecipient(input: {
    name: string;
    accountNumber: string;
    bankCode: string;
    currency?: Currency;
  }): Promise<{ recipientCode: string }>;
}

interface PaystackTransfer {
  transfer_code: string;
  reference: string;
  status: string;
  amount: number;
  reason?: string | null;
}

/** What a transfer's status means for the withdrawal. */
function transferResult(transfer: PaystackTransfer): PayoutResult {
  const providerRef = transfer.transfer_code;
  switch (transfer.status) {
    case "success":
      return { status: "paid", providerRef };
    case "otp":
      // Left waiting for an OTP it never executes; server-to-server payouts need OTP turned off.
      return {
        status: "failed",
        providerRef,
        reason:
          "Paystack asks for an OTP to finalize transfers: turn transfer OTP off for this integration (POST /transfer/disable_otp)",
      };
    case "failed":
    case "reversed":
    case "abandoned":
    case "rejected":
      return { status: "failed", providerRef, reason: transfer.reason || `the transfer was ${transfer.status}` };
    default:
      // pending, received, processing, queued: a transfer.* webhook settles it.
      return { status: "pending", providerRef };
  }
}

export function createPaystackPayouts(env: Env): PaystackPayouts {
  const paystack = paystackClient(env);

  return {
    kind: "paystack",
    currencies: CURRENCIES,

    async send(request): Promise<PayoutResult> {
      const recipient = asString(field(request.destination, "recipientCode"));
      if (!recipient?.startsWith("RCP_")) {
        return { status: "failed", reason: "The payout method has no Paystack transfer recipient" };
      }
      const reference = paystackTransferReference(request.withdrawalId);
      // A retry after an unknown outcome finds the first transfer instead of starting a second.
      try {
        const existing = await paystack.call<PaystackTransfer>(
          "GET",
          `/transfer/verify/${encodeURIComponent(reference)}`,
        );
        return transferResult(existing);
      } catch (error) {
        if (!isPaystackNotFound(error)) throw error;
      }
      try {
        const transfer = await paystack.call<PaystackTransfer>("POST", "/transfer", {
          source: "balance",
          amount: request.amount,
          currency: request.currency,
          recipient,
          reference,
          reason: "Lectern withdrawal",
        });
        return transferResult(transfer);
      } catch (error) {
        // A definite refusal (insufficient balance, bad recipient) releases the funds; else retry later.
        if (error instanceof ProviderError && !error.retryable) return { status: "failed", reason: error.message };
        throw error;
      }
    },

    async listBanks() {
      const banks: PaystackBank[] = [];
      let cursor: string | null = null;
      // Cursor pages until Paystack says there is no next page (a bounded number, to never loop forever).
      for (let page = 0; page < 20; page++) {
        const query = new URLSearchParams({ currency: "NGN", use_cursor: "true", perPage: "100" });
        if (cursor) query.set("next", cursor);
        const answer = await paystack.envelope<{ name: string; code: string; active: boolean }[]>(
          "GET",
          `/bank?${query}`,
        );
        for (const bank of answer.data) if (bank.active !== false) banks.push({ name: bank.name, code: bank.code });
        cursor = answer.meta?.next ?? null;
        if (!cursor) break;
      }
      return banks;
    },

    async resolveAccount(accountNumber, bankCode) {
      const query = new URLSearchParams({ account_number: accountNumber, bank_code: bankCode });
      try {
        const data = await paystack.call<{ account_number: string; account_name: string }>(
          "GET",
          `/bank/resolve?${query}`,
        );
        return { accountNumber: data.account_number, accountName: data.account_name };
      } catch (error) {
        if (error instanceof ProviderError && !error.retryable) return null;
        throw error;
      }
    },

    async createRecipient({ name, accountNumber, bankCode, currency = "NGN" }) {
      const data = await paystack.call<{ recipient_code: string }>("POST", "/transferrecipient", {
        type: "nuban",
        name,
        account_number: accountNumber,
        bank_code: bankCode,
        currency,
      });
      return { recipientCode: data.recipient_code };
    },
  };
}
