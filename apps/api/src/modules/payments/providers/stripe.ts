import type { Currency } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import Stripe from "stripe";
import { asAmount, asString, field, isUuid, ProviderError } from "./http.ts";
import { type PaymentOutcome, type PaymentProvider, type VerifiedEvent, WebhookSignatureError } from "./types.ts";

/**
 * Stripe Checkout for USD, GBP and EUR (PROVIDERS.md §1): a hosted Checkout Session per order,
 * fulfilment from the signed webhook (or a lookup of the session), refunds on the payment intent.
 */

const CURRENCIES = ["USD", "GBP", "EUR"] as const satisfies readonly Currency[];

/** Stripe refuses an expires_at less than 30 minutes away; a minute of margin covers the request's own time. */
const MIN_SESSION_SECONDS = 31 * 60;
const MAX_SESSION_SECONDS = 24 * 60 * 60;
/** Stripe's metadata values are at most 500 characters. */
const METADATA_MAX = 500;

const PAID_STATUSES = new Set(["paid", "no_payment_required"]);

/** The SDK client, pointed at STRIPE_API_URL when set (a loopback fake in tests: no retries there). */
export function stripeClient(env: Env): Stripe {
  if (!env.STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set");
  if (!env.STRIPE_API_URL) return new Stripe(env.STRIPE_SECRET_KEY);
  const url = new URL(env.STRIPE_API_URL);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return new Stripe(env.STRIPE_SECRET_KEY, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443,
    protocol,
    maxNetworkRetries: 0,
  });
}

/** Stripe's errors as ProviderError (so callers handle one kind), anything else unchanged. */
export function fromStripeError(error: unknown): unknown {
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.type === "StripeConnectionError" ? null : (error.statusCode ?? null);
    return new ProviderError("stripe", status, error.message, { cause: error });
  }
  return error;
}

export async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw fromStripeError(error);
  }
}

/** Which order a session (or refund, through its metadata) belongs to; null for one Lectern did not create. */
function orderIdOf(object: unknown): string | null {
  const id = asString(field(object, "client_reference_id")) ?? asString(field(object, "metadata", "orderId"));
  return isUuid(id) ? id : null;
}

const idOf = (value: unknown) => asString(value) ?? asString(field(value, "id"));

function paidOutcome(session: unknown): PaymentOutcome | null {
  const orderId = orderIdOf(session);
  const amount = asAmount(field(session, "amount_total"));
  const currency = asString(field(session, "currency"));
  if (!orderId || amount === undefined || !currency) return null;
  // No payment intent only when nothing was charged; the session then stands for the payment.
  const paymentRef = idOf(field(session, "payment_intent")) ?? asString(field(session, "id")) ?? "";
  return { kind: "paid", orderId, paymentRef, amount, currency: currency.toUpperCase() };
}

function refundOutcome(refund: unknown, status: string | undefined): PaymentOutcome | null {
  const orderId = orderIdOf(refund);
  const refundRef = asString(field(refund, "id"));
  if (!orderId || !refundRef) return null;
  if (status === "succeeded") {
    const amount = asAmount(field(refund, "amount"));
    const currency = asString(field(refund, "currency"));
    if (amount === undefined || !currency) return null;
    return { kind: "refunded", orderId, refundRef, amount, currency: currency.toUpperCase() };
  }
  if (status === "failed" || status === "canceled") {
    const reason = asString(field(refund, "failure_reason")) ?? `the refund was ${status}`;
    return { kind: "refund_failed", orderId, refundRef, reason };
  }
  return null;
}

/** Meaning of a Stripe event (the whole event object is the payload) for an order. */
export function interpretStripeEvent(event: { type: string; payload: unknown }): PaymentOutcome | null {
  const object = field(event.payload, "data", "object");
  switch (event.type) {
    case "checkout.session.completed":
      // Delayed methods complete the session unpaid; async_payment_succeeded follows.
      return PAID_STATUSES.has(String(field(object, "payment_status"))) ? paidOutcome(object) : null;
    case "checkout.session.async_payment_succeeded":
      return paidOutcome(object);
    case "checkout.session.async_payment_failed": {
      const orderId = orderIdOf(object);
      return orderId ? { kind: "failed", orderId, reason: "The delayed payment failed" } : null;
    }
    case "checkout.session.expired": {
      const orderId = orderIdOf(object);
      return orderId ? { kind: "expired", orderId, reason: "The checkout session expired unpaid" } : null;
    }
    // A card refund is often born succeeded (refund.created is then the only event about it); others move later.
    case "refund.created":
    case "refund.updated":
      return refundOutcome(object, asString(field(object, "status")));
    case "refund.failed":
      return refundOutcome(object, "failed");
    default:
      return null;
  }
}

export const STRIPE_EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.async_payment_succeeded",
  "checkout.session.async_payment_failed",
  "checkout.session.expired",
  "refund.created",
  "refund.updated",
  "refund.failed",
] as const;

/** `{CHECKOUT_SESSION_ID}` must reach Stripe literally (URL encoding would hide it), so it is appended as text. */
const withSessionId = (url: string) => `${url}${url.includes("?") ? "&" : "?"}session_id={CHECKOUT_SESSION_ID}`;

export function createStripeProvider(env: Env): PaymentProvider {
  const stripe = stripeClient(env);
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET;
  if (!webhookSecret) throw new Error("STRIPE_WEBHOOK_SECRET is not set");

  return {
    name: "stripe",
    currencies: CURRENCIES,
    eventTypes: STRIPE_EVENT_TYPES,

    async startCheckout(request) {
      const now = Math.floor(Date.now() / 1000);
      const wanted = Math.floor(request.expiresAt.getTime() / 1000);
      // The order's own expiry rules; Stripe's window only bounds it (the order may expire first on our side).
      const expiresAt = Math.min(Math.max(wanted, now + MIN_SESSION_SECONDS), now + MAX_SESSION_SECONDS);
      const session = await callStripe(() =>
        stripe.checkout.sessions.create(
          {
            mode: "payment",
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: request.currency.toLowerCase(),
                  unit_amount: request.amount,
                  product_data: { name: request.description },
                },
              },
            ],
            client_reference_id: request.orderId,
            metadata: { orderId: request.orderId },
            // Also on the payment intent, so a charge seen in the dashboard names its order.
            payment_intent_data: { metadata: { orderId: request.orderId } },
            customer_email: request.buyer.email,
            success_url: withSessionId(request.returnUrl),
            cancel_url: request.cancelUrl,
            expires_at: expiresAt,
          },
          { idempotencyKey: `checkout:${request.orderId}` },
        ),
      );
      if (!session.url) throw new ProviderError("stripe", 200, `checkout session ${session.id} has no URL`);
      return { url: session.url, providerRef: session.id };
    },

    async verifyWebhook({ rawBody, headers }) {
      let event: Stripe.Event;
      try {
        // Default tolerance: a signature older than 300 s is refused (replays).
        event = stripe.webhooks.constructEvent(rawBody, headers.get("stripe-signature") ?? "", webhookSecret);
      } catch (error) {
        throw new WebhookSignatureError(error instanceof Error ? error.message : undefined);
      }
      return { id: event.id, type: event.type, payload: event };
    },

    interpret: interpretStripeEvent,

    async lookup(order): Promise<VerifiedEvent | null> {
      const session = await callStripe(() => stripe.checkout.sessions.retrieve(order.providerRef));
      let type: string;
      if (session.status === "complete" && PAID_STATUSES.has(session.payment_status)) {
        type = "checkout.session.completed";
      } else if (session.status === "expired") {
        type = "checkout.session.expired";
      } else {
        return null;
      }
      const state = type === "checkout.session.expired" ? "expired" : "paid";
      // Shaped like the webhook's event so `interpret` reads both the same way.
      return {
        id: `lookup:${session.id}:${state}`,
        type,
        payload: { id: `lookup:${session.id}:${state}`, object: "event", type, data: { object: session } },
      };
    },

    async refund(request) {
      const refund = await callStripe(() =>
        stripe.refunds.create(
          {
            payment_intent: request.paymentRef,
            amount: request.amount,
            reason: "requested_by_customer",
            // Our ids ride along, so refund.* events name the order and the refund row.
            metadata: {
              orderId: request.orderId,
              refundId: request.refundId,
              reason: request.reason.slice(0, METADATA_MAX),
            },
          },
          { idempotencyKey: `refund:${request.refundId}` },
        ),
      );
      const status =
        refund.status === "succeeded"
          ? "succeeded"
          : refund.status === "failed" || refund.status === "canceled"
            ? "failed"
            : "pending";
      return { refundRef: refund.id, status };
    },
  };
}
