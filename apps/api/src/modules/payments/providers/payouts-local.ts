import { CURRENCIES } from "@lectern/api-contract";
import type { PayoutProvider } from "./types.ts";

/**
 * Payouts with no provider account. `local` (the embedded default when no keys are set) pays at
 * once, so the whole withdrawal journey works on a laptop; `manual` is a bank transfer an admin
 * makes by hand and then marks paid (or failed) in the console, so it always answers pending.
 * Both answer the same reference for the same withdrawal, as a provider's idempotency key would.
 */

export const localPayouts: PayoutProvider = {
  kind: "local",
  currencies: CURRENCIES,
  async send(request) {
    return { status: "paid", providerRef: `local_po_${request.withdrawalId}` };
  },
};

export const manualPayouts: PayoutProvider = {
  kind: "manual",
  currencies: CURRENCIES,
  async send(request) {
    return { status: "pending", providerRef: `manual_${request.withdrawalId}` };
  },
};
