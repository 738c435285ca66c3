import type { Tx } from "@lectern/db";
import type { EventHandlers } from "../inbox.ts";
import { asString, field } from "./http.ts";
import { withdrawalIdFromReference } from "./payouts-paystack.ts";

/**
 * What a payout provider's webhook says about a withdrawal. The events arrive on the payment
 * providers' endpoints (/webhooks/stripe, /webhooks/paystack), are verified there and recorded in
 * the inbox under the provider's name; the withdrawals module registers `payoutEventHandlers`
 * for each provider, which interpret each event and hand its outcome to the withdrawal's settlement.
 */

export interface PayoutOutcome {
  withdrawalId: string;
  status: "paid" | "failed";
  reason: string | null;
}

export const PAYOUT_EVENT_TYPES = {
  // A Stripe transfer is final when created (there is no transfer.paid); only a reversal undoes it.
  stripe: ["transfer.reversed"],
  paystack: ["transfer.success", "transfer.failed", "transfer.reversed"],
} as const;

export type PayoutEventProvider = keyof typeof PAYOUT_EVENT_TYPES;

/** null: the event is about a transfer Lectern did not make, or changes nothing (a partial reversal). */
export function interpretPayoutEvent(
  provider: PayoutEventProvider,
  event: { type: string; payload: unknown },
): PayoutOutcome | null {
  const data = provider === "stripe" ? field(event.payload, "data", "object") : field(event.payload, "data");
  if (provider === "stripe") {
    const withdrawalId = asString(field(data, "metadata", "withdrawalId"));
    if (event.type !== "transfer.reversed" || !withdrawalId) return null;
    // A partial reversal is an admin's correction in Stripe's dashboard, not a failed withdrawal.
    if (field(data, "reversed") !== true) return null;
    return { withdrawalId, status: "failed", reason: "The transfer was reversed" };
  }
  const withdrawalId = withdrawalIdFromReference(field(data, "reference"));
  if (!withdrawalId) return null;
  switch (event.type) {
    case "transfer.success":
      return { withdrawalId, status: "paid", reason: null };
    case "transfer.failed":
      return {
        withdrawalId,
        status: "failed",
        reason: asString(field(data, "reason")) ?? asString(field(data, "gateway_response")) ?? "The transfer failed",
      };
    case "transfer.reversed":
      return { withdrawalId, status: "failed", reason: "The transfer was reversed" };
    default:
      return null;
  }
}

/**
 * Inbox handlers for one provider's payout events: `registerEventHandlers(provider,
 * payoutEventHandlers(provider, apply))`. `apply` settles the withdrawal in the inbox's transaction;
 * events about transfers Lectern did not make are recorded and change nothing.
 */
export function payoutEventHandlers(
  provider: PayoutEventProvider,
  apply: (tx: Tx, outcome: PayoutOutcome) => Promise<void>,
): EventHandlers {
  const handlers: EventHandlers = {};
  for (const type of PAYOUT_EVENT_TYPES[provider]) {
    handlers[type] = async (tx, event) => {
      const outcome = interpretPayoutEvent(provider, { type: event.type, payload: event.payload });
      if (outcome) await apply(tx, outcome);
    };
  }
  return handlers;
}
