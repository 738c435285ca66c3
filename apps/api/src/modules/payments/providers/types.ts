import type { Currency } from "@lectern/api-contract";

/**
 * Payment and payout providers behind one interface each (DESIGN.md §5). Each real one speaks its
 * provider's API (the `stripe` SDK, or fetch for Paystack and Paymob) with a base URL from the
 * environment, so tests point it at a fake on loopback; `local` serves every currency when no keys
 * are set. Amounts are integer minor units.
 */

export type PaymentProviderName = "stripe" | "paystack" | "paymob" | "local";

export interface CheckoutRequest {
  /** our order id: the provider's client reference / merchant order id */
  orderId: string;
  amount: number;
  currency: Currency;
  /** what the buyer sees on the provider's page, e.g. "Lectern · Regular (12 sessions)" */
  description: string;
  buyer: { id: string; email: string; name: string };
  /** where the browser returns after paying; providers add their own query parameters */
  returnUrl: string;
  /** where the browser returns when the buyer gives up */
  cancelUrl: string;
  expiresAt: Date;
}

export interface CheckoutStarted {
  /** the provider's hosted page to send the browser to */
  url: string;
  /** the provider's id for this attempt (Stripe session id, Paystack reference, Paymob order id): stored on the order */
  providerRef: string;
}

/** A provider event that passed its signature check, ready for the inbox (provider event id, type, parsed payload). */
export interface VerifiedEvent {
  id: string;
  type: string;
  payload: unknown;
}

/** What a verified event (or a verification lookup) says about an order, in the provider's own words made common. */
export type PaymentOutcome =
  | {
      kind: "paid";
      orderId: string;
      /** the id a refund needs (Stripe payment intent, Paystack reference, Paymob transaction id) */
      paymentRef: string;
      amount: number;
      currency: string;
    }
  | { kind: "failed" | "expired"; orderId: string; reason: string }
  | { kind: "refunded"; orderId: string; refundRef: string; amount: number; currency: string }
  | { kind: "refund_failed"; orderId: string; refundRef: string; reason: string };

export class WebhookSignatureError extends Error {
  constructor(message = "The webhook signature is missing, invalid or too old") {
    super(message);
    this.name = "WebhookSignatureError";
  }
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  readonly currencies: readonly Currency[];
  /** The webhook event types `interpret` understands (the checkout registers an inbox handler for each). */
  readonly eventTypes: readonly string[];
  startCheckout(request: CheckoutRequest): Promise<CheckoutStarted>;
  /**
   * Checks the signature over the raw body (and the query, for Paymob) with a constant-time compare
   * and returns the event to record; throws WebhookSignatureError when it does not hold.
   */
  verifyWebhook(request: { rawBody: string; headers: Headers; url: URL }): Promise<VerifiedEvent>;
  /** What a recorded event means for an order; null for event types Lectern does not act on. */
  interpret(event: { type: string; payload: unknown }): PaymentOutcome | null;
  /**
   * Asks the provider for the state of an order's payment (Stripe: retrieve the session; Paystack:
   * verify the reference; Paymob: inquire the order) and returns it as an event with a stable id, to
   * go through the same inbox and apply function as a webhook; null while nothing is settled.
   */
  lookup(order: { id: string; providerRef: string }): Promise<VerifiedEvent | null>;
  /** Refunds part or all of a payment; `refundId` is our idempotency handle at the provider. */
  refund(request: {
    orderId: string;
    paymentRef: string;
    amount: number;
    currency: Currency;
    refundId: string;
    reason: string;
  }): Promise<{ refundRef: string; status: "succeeded" | "pending" | "failed" }>;
}

export type PayoutMethodKind = "stripe_connect" | "paystack" | "manual" | "local";

export interface PayoutRequest {
  /** our withdrawal id: the provider's idempotency key / transfer reference */
  withdrawalId: string;
  amount: number;
  currency: Currency;
  /** the method's stored details: Stripe account id, Paystack recipient code, bank details */
  destination: Record<string, unknown>;
}

/** The provider's answer to a payout: paid now, pending (a later event settles it) or failed (funds are released). */
export type PayoutResult =
  | { status: "paid" | "pending"; providerRef: string }
  | { status: "failed"; reason: string; providerRef?: string };

export interface PayoutProvider {
  readonly kind: PayoutMethodKind;
  readonly currencies: readonly Currency[];
  send(request: PayoutRequest): Promise<PayoutResult>;
}
