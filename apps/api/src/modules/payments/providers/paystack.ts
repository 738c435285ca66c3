import { createHash } from "node:crypto";
import type { Currency } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import {
  asAmount,
  asString,
  attemptReference,
  field,
  hmacSha512Hex,
  orderIdFromAttempt,
  ProviderError,
  requestJson,
  signaturesMatch,
} from "./http.ts";
import { type PaymentOutcome, type PaymentProvider, type VerifiedEvent, WebhookSignatureError } from "./types.ts";

/**
 * Paystack for NGN (PROVIDERS.md §2) over fetch: a transaction per checkout attempt, confirmed by
 * the signed `charge.success` webhook or by verifying the reference; refunds queued with POST /refund.
 */

const CURRENCIES = ["NGN"] as const satisfies readonly Currency[];

/** Paystack's envelope around every answer. */
export interface PaystackEnvelope<T> {
  status: boolean;
  message: string;
  data: T;
  /** list answers: cursor pagination */
  meta?: { next?: string | null };
}

/** A Paystack client for the secret key and base URL in the environment (shared with the payouts). */
export function paystackClient(env: Env) {
  const secret = env.PAYSTACK_SECRET_KEY;
  if (!secret) throw new Error("PAYSTACK_SECRET_KEY is not set");
  const base = env.PAYSTACK_BASE_URL.replace(/\/$/, "");
  async function envelope<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<PaystackEnvelope<T>> {
    const answer = await requestJson<PaystackEnvelope<T>>("paystack", `${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}` },
      body,
    });
    if (answer.status !== true) throw new ProviderError("paystack", 200, answer.message || "request refused");
    return answer;
  }
  return {
    secret,
    envelope,
    call: async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> =>
      (await envelope<T>(method, path, body)).data,
  };
}

/** The webhook's `x-paystack-signature`: hex HMAC-SHA512 of the raw body keyed with the secret key. */
export const paystackSignature = (secret: string, rawBody: string) => hmacSha512Hex(secret, rawBody);

/**
 * Paystack events carry no event id: the event name and the object's id (or reference) identify
 * one; a body without either falls back to its own hash, so a byte-identical redelivery still dedupes.
 */
function paystackEventId(event: string, data: unknown, rawBody: string): string {
  const key =
    asString(field(data, "id")) ??
    asString(field(data, "reference")) ??
    asString(field(data, "refund_reference")) ??
    `sha256:${createHash("sha256").update(rawBody).digest("hex")}`;
  return `${event}:${key}`;
}

/** Paystack's "no such reference" (404, or a 400 saying "not found" on some endpoints). */
export const isPaystackNotFound = (error: unknown) =>
  error instanceof ProviderError &&
  (error.status === 404 || (error.status === 400 && /not found/i.test(error.message)));

/** Paystack sends no webhook for a failed charge; a lookup reports one under this type. */
const CHARGE_FAILED = "charge.failed";

export const PAYSTACK_EVENT_TYPES = ["charge.success", CHARGE_FAILED, "refund.processed", "refund.failed"] as const;

/** Meaning of a Paystack event (payload: the whole `{ event, data }` body) for an order. */
export function interpretPaystackEvent(event: { type: string; payload: unknown }): PaymentOutcome | null {
  const data = field(event.payload, "data");
  switch (event.type) {
    case "charge.success": {
      const reference = asString(field(data, "reference"));
      const orderId = orderIdFromAttempt(reference);
      const amount = asAmount(field(data, "amount"));
      const currency = asString(field(data, "currency"));
      if (!reference || !orderId || amount === undefined || !currency || field(data, "status") !== "success") {
        return null;
      }
      return { kind: "paid", orderId, paymentRef: reference, amount, currency: currency.toUpperCase() };
    }
    case CHARGE_FAILED: {
      const orderId = orderIdFromAttempt(field(data, "reference"));
      if (!orderId) return null;
      const reason = asString(field(data, "gateway_response")) ?? `the payment ${String(field(data, "status"))}`;
      return { kind: "failed", orderId, reason };
    }
    case "refund.processed":
    case "refund.failed": {
      const orderId = orderIdFromAttempt(
        field(data, "transaction_reference") ?? field(data, "transaction", "reference"),
      );
      const refundRef = asString(field(data, "id")) ?? asString(field(data, "refund_reference"));
      if (!orderId || !refundRef) return null;
      if (event.type === "refund.failed") {
        return { kind: "refund_failed", orderId, refundRef, reason: "Paystack could not process the refund" };
      }
      const amount = asAmount(field(data, "amount"));
      const currency = asString(field(data, "currency"));
      if (amount === undefined || !currency) return null;
      return { kind: "refunded", orderId, refundRef, amount, currency: currency.toUpperCase() };
    }
    default:
      return null;
  }
}

/** Parses and checks a signed Paystack webhook (payments, refunds and transfers share one endpoint). */
export function verifyPaystackWebhook(secret: string, rawBody: string, headers: Headers): VerifiedEvent {
  const received = headers.get("x-paystack-signature") ?? "";
  if (!signaturesMatch(received, paystackSignature(secret, rawBody))) throw new WebhookSignatureError();
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new WebhookSignatureError("The signed webhook body is not JSON");
  }
  const type = asString(field(body, "event"));
  if (!type) throw new WebhookSignatureError("The signed webhook body names no event");
  return { id: paystackEventId(type, field(body, "data"), rawBody), type, payload: body };
}

interface PaystackTransaction {
  id: number;
  status: string;
  reference: string;
  amount: number;
  currency: string;
  gateway_response?: string;
}

interface PaystackRefund {
  id: number;
  status: string;
  merchant_note?: string | null;
}

/** Terminal verify statuses that end the attempt unpaid (abandoned or ongoing ones may still be paid). */
const FAILED_STATUSES = new Set(["failed", "reversed"]);

export function createPaystackProvider(env: Env): PaymentProvider {
  const paystack = paystackClient(env);

  return {
    name: "paystack",
    currencies: CURRENCIES,
    eventTypes: PAYSTACK_EVENT_TYPES,

    async startCheckout(request) {
      const reference = attemptReference(request.orderId);
      const data = await paystack.call<{ authorization_url: string; reference: string }>(
        "POST",
        "/transaction/initialize",
        {
          email: request.buyer.email,
          amount: request.amount,
          currency: request.currency,
          reference,
          callback_url: request.returnUrl,
          // cancel_action: where Paystack's page sends a buyer who gives up.
          metadata: { orderId: request.orderId, cancel_action: request.cancelUrl },
        },
      );
      if (data.reference !== reference) {
        throw new ProviderError("paystack", 200, `initialize answered reference ${data.reference}, not ${reference}`);
      }
      return { url: data.authorization_url, providerRef: reference };
    },

    async verifyWebhook({ rawBody, headers }) {
      return verifyPaystackWebhook(paystack.secret, rawBody, headers);
    },

    interpret: interpretPaystackEvent,

    async lookup(order) {
      let data: PaystackTransaction;
      try {
        data = await paystack.call<PaystackTransaction>(
          "GET",
          `/transaction/verify/${encodeURIComponent(order.providerRef)}`,
        );
      } catch (error) {
        // Not found: the buyer never reached Paystack's page; nothing is settled.
        if (isPaystackNotFound(error)) return null;
        throw error;
      }
      // An answer about another reference says nothing about this order.
      if (data.reference !== order.providerRef) return null;
      let type: string;
      if (data.status === "success") type = "charge.success";
      else if (FAILED_STATUSES.has(data.status)) type = CHARGE_FAILED;
      else return null;
      const id = `lookup:${data.reference}:${data.status}`;
      // Same shape as the webhook; `interpret` checks amount, currency and status from it.
      return { id, type, payload: { event: type, data } };
    },

    async refund(request) {
      // Paystack takes no idempotency key: our refund id goes in the merchant note, and a retry
      // first looks for a refund of the transaction carrying it.
      const note = `refund:${request.refundId}`;
      const existing = await paystack.call<PaystackRefund[]>(
        "GET",
        `/refund?reference=${encodeURIComponent(request.paymentRef)}`,
      );
      const refund =
        existing.find((r) => r.merchant_note?.startsWith(note)) ??
        (await paystack.call<PaystackRefund>("POST", "/refund", {
          transaction: request.paymentRef,
          amount: request.amount,
          currency: request.currency,
          merchant_note: `${note} ${request.reason}`.slice(0, 500),
        }));
      const status = refund.status === "processed" ? "succeeded" : refund.status === "failed" ? "failed" : "pending";
      return { refundRef: String(refund.id), status };
    },
  };
}
