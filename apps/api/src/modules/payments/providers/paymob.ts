import type { Currency } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import {
  asAmount,
  asString,
  attemptReference,
  field,
  hmacSha512Hex,
  orderIdFromAttempt,
  requestJson,
  signaturesMatch,
} from "./http.ts";
import { type PaymentOutcome, type PaymentProvider, type VerifiedEvent, WebhookSignatureError } from "./types.ts";

/**
 * Paymob (Accept, legacy iframe flow) for EGP (PROVIDERS.md §3): auth token → Paymob order →
 * payment key → iframe URL. Its "transaction processed" callback (POST JSON, HMAC in the query)
 * settles payments and refunds. The browser's return URL is the integration's "transaction
 * response callback", set in Paymob's dashboard (the legacy flow takes none per request).
 */

const CURRENCIES = ["EGP"] as const satisfies readonly Currency[];

/** The 20 transaction fields Paymob's HMAC covers, in Paymob's order. */
const HMAC_FIELDS = [
  "amount_cents",
  "created_at",
  "currency",
  "error_occured",
  "has_parent_transaction",
  "id",
  "integration_id",
  "is_3d_secure",
  "is_auth",
  "is_capture",
  "is_refunded",
  "is_standalone_payment",
  "is_voided",
  "order.id",
  "owner",
  "pending",
  "source_data.pan",
  "source_data.sub_type",
  "source_data.type",
  "success",
] as const;

/** The string Paymob signs: the fields' values concatenated as received (String(null) is "null", undocumented). */
export const paymobHmacMessage = (transaction: unknown) =>
  HMAC_FIELDS.map((key) => String(field(transaction, ...key.split(".")))).join("");

/** HMAC-SHA512 of a transaction with the HMAC secret (not the API key), lowercase hex. */
export const paymobHmac = (transaction: unknown, secret: string) =>
  hmacSha512Hex(secret, paymobHmacMessage(transaction));

/** What a processed transaction is, from its flags. */
type TransactionState = "paid" | "declined" | "pending" | "refund" | "voided";

function transactionState(obj: unknown): TransactionState {
  if (field(obj, "pending") === true) return "pending";
  // A refund is its own transaction, flagged refunded (some accounts also send is_refund).
  if (field(obj, "is_refunded") === true || field(obj, "is_refund") === true) return "refund";
  if (field(obj, "is_voided") === true || field(obj, "is_void") === true) return "voided";
  return field(obj, "success") === true ? "paid" : "declined";
}

export const PAYMOB_EVENT_TYPES = [
  "transaction.paid",
  "transaction.declined",
  "transaction.pending",
  "transaction.refund",
  "transaction.voided",
] as const;

/** The inbox entry for a processed transaction: its id and state make the event id (a refund also its amount). */
function transactionEvent(obj: unknown): VerifiedEvent {
  const state = transactionState(obj);
  const id = asString(field(obj, "id")) ?? "unknown";
  const refunded =
    state === "refund" ? `:${String(field(obj, "refunded_amount_cents") ?? field(obj, "amount_cents"))}` : "";
  return { id: `txn:${id}:${state}${refunded}`, type: `transaction.${state}`, payload: { type: "TRANSACTION", obj } };
}

/** Meaning of a Paymob transaction event (payload: the callback body `{ type, obj }`) for an order. */
export function interpretPaymobEvent(event: { type: string; payload: unknown }): PaymentOutcome | null {
  const obj = field(event.payload, "obj");
  const orderId = orderIdFromAttempt(field(obj, "order", "merchant_order_id"));
  const ref = asString(field(obj, "id"));
  const amount = asAmount(field(obj, "amount_cents"));
  const currency = asString(field(obj, "currency"));
  if (!orderId || !ref) return null;
  switch (event.type) {
    case "transaction.paid":
      if (transactionState(obj) !== "paid" || amount === undefined || !currency) return null;
      return { kind: "paid", orderId, paymentRef: ref, amount, currency: currency.toUpperCase() };
    case "transaction.refund":
      if (field(obj, "success") !== true) {
        const reason = asString(field(obj, "data", "message")) ?? "Paymob declined the refund";
        return { kind: "refund_failed", orderId, refundRef: ref, reason };
      }
      if (amount === undefined || !currency) return null;
      return { kind: "refunded", orderId, refundRef: ref, amount, currency: currency.toUpperCase() };
    // A declined card leaves the order open: the buyer may try again in the same iframe until it
    // expires. Pending settles by a later callback; a void is an admin's act in Paymob's dashboard.
    default:
      return null;
  }
}

/** Checks the processed callback's `hmac` query parameter against its body. */
export function verifyPaymobCallback(secret: string, rawBody: string, url: URL): VerifiedEvent {
  const received = url.searchParams.get("hmac") ?? "";
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new WebhookSignatureError("The callback body is not JSON");
  }
  const obj = field(body, "obj");
  if (!obj || typeof obj !== "object" || !signaturesMatch(received, paymobHmac(obj, secret))) {
    throw new WebhookSignatureError();
  }
  return transactionEvent(obj);
}

/** The auth token lasts an hour; reuse it for 50 minutes. */
const TOKEN_TTL_MS = 50 * 60 * 1000;

export function createPaymobProvider(env: Env): PaymentProvider {
  const { PAYMOB_API_KEY: apiKey, PAYMOB_INTEGRATION_ID: integrationId, PAYMOB_IFRAME_ID: iframeId } = env;
  const hmacSecret = env.PAYMOB_HMAC_SECRET;
  if (!apiKey || !integrationId || !iframeId || !hmacSecret) throw new Error("Paymob is not configured");
  const base = env.PAYMOB_BASE_URL.replace(/\/$/, "");
  const post = <T>(path: string, body: unknown) => requestJson<T>("paymob", `${base}${path}`, { body });

  let cached: { token: string; until: number } | null = null;
  async function authToken() {
    if (cached && cached.until > Date.now()) return cached.token;
    const { token } = await post<{ token: string }>("/api/auth/tokens", { api_key: apiKey });
    cached = { token, until: Date.now() + TOKEN_TTL_MS };
    return token;
  }

  return {
    name: "paymob",
    currencies: CURRENCIES,
    eventTypes: PAYMOB_EVENT_TYPES,

    async startCheckout(request) {
      const token = await authToken();
      // A fresh merchant order id per attempt: Paymob refuses a duplicate one.
      const order = await post<{ id: number }>("/api/ecommerce/orders", {
        auth_token: token,
        delivery_needed: false,
        amount_cents: request.amount,
        currency: request.currency,
        merchant_order_id: attemptReference(request.orderId),
        items: [],
      });
      const [first = "NA", ...rest] = request.buyer.name.trim().split(/\s+/);
      const expiration = Math.min(Math.max(Math.floor((request.expiresAt.getTime() - Date.now()) / 1000), 60), 86_400);
      const key = await post<{ token: string }>("/api/acceptance/payment_keys", {
        auth_token: token,
        amount_cents: request.amount,
        expiration,
        order_id: order.id,
        // Paymob requires every billing field; unknown ones are "NA" as its docs advise.
        billing_data: {
          first_name: first,
          last_name: rest.join(" ") || "NA",
          email: request.buyer.email,
          phone_number: "NA",
          apartment: "NA",
          floor: "NA",
          street: "NA",
          building: "NA",
          city: "NA",
          state: "NA",
          country: "EG",
          postal_code: "NA",
          shipping_method: "NA",
        },
        currency: request.currency,
        integration_id: integrationId,
        lock_order_when_paid: true,
      });
      return {
        url: `${base}/api/acceptance/iframes/${iframeId}?payment_token=${encodeURIComponent(key.token)}`,
        providerRef: String(order.id),
      };
    },

    async verifyWebhook({ rawBody, url }) {
      return verifyPaymobCallback(hmacSecret, rawBody, url);
    },

    interpret: interpretPaymobEvent,

    async lookup(order) {
      const token = await authToken();
      const found = await requestJson<{ id: number; merchant_order_id: string; transactions?: unknown[] }>(
        "paymob",
        `${base}/api/ecommerce/orders/${encodeURIComponent(order.providerRef)}?token=${encodeURIComponent(token)}`,
      );
      for (const entry of found.transactions ?? []) {
        // Some answers list ids only: inquire each one.
        const transaction =
          entry && typeof entry === "object"
            ? entry
            : await requestJson<unknown>(
                "paymob",
                `${base}/api/acceptance/transactions/${encodeURIComponent(String(entry))}?token=${encodeURIComponent(token)}`,
              );
        if (transactionState(transaction) !== "paid") continue;
        // The order's own merchant order id, whether the transaction nests its order or only names it.
        const obj = {
          ...(transaction as object),
          order: { id: found.id, merchant_order_id: found.merchant_order_id },
        };
        // Same id as the callback for this transaction: whichever arrives second is a duplicate.
        return transactionEvent(obj);
      }
      return null;
    },

    async refund(request) {
      // Paymob takes no idempotency key: the caller refunds once per refund row and settles an
      // unknown outcome from the refund callback, never by calling again.
      const token = await authToken();
      const transaction = await post<{ id: number; success?: boolean; pending?: boolean }>(
        "/api/acceptance/void_refund/refund",
        { auth_token: token, transaction_id: Number(request.paymentRef), amount_cents: request.amount },
      );
      const status = transaction.pending ? "pending" : transaction.success ? "succeeded" : "failed";
      return { refundRef: String(transaction.id), status };
    },
  };
}
