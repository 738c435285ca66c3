import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { CURRENCIES } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Logger } from "../../../logger.ts";
import { type PaymentOutcome, type PaymentProvider, type VerifiedEvent, WebhookSignatureError } from "./types.ts";

/**
 * The local payment provider: every currency, no account. Its checkout page is served by the API
 * itself (/pay/local/:orderId); the buyer's Pay or Decline is kept on "the provider's side"
 * (local_payments) and delivered like any provider's webhook: a signed POST to /webhooks/local,
 * verified on the raw body, recorded in the inbox and applied by the same code as Stripe's.
 */

export const LOCAL_SIGNATURE_HEADER = "lectern-signature";
/** A signed webhook older (or newer) than this is refused: a captured one cannot be replayed later. */
export const LOCAL_SIGNATURE_TOLERANCE_SECONDS = 300;

export const LOCAL_EVENT_TYPES = ["payment.succeeded", "payment.failed", "refund.succeeded"] as const;
export type LocalChoice = "pay" | "decline";

/** LOCAL_PAYMENTS_SECRET, or one derived from BETTER_AUTH_SECRET so a fresh clone needs no setting. */
export function localPaymentsSecret(env: Pick<Env, "LOCAL_PAYMENTS_SECRET" | "BETTER_AUTH_SECRET">): string {
  return (
    env.LOCAL_PAYMENTS_SECRET ??
    createHmac("sha256", env.BETTER_AUTH_SECRET).update("lectern local payments").digest("hex")
  );
}

const hmac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("hex");

const equalHex = (a: string, b: string) => {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
};

/** The signature header of a raw body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signLocalWebhook(secret: string, rawBody: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, `${t}.${rawBody}`)}`;
}

/** Throws WebhookSignatureError unless the header signs this body, within the tolerance. */
export function verifyLocalSignature(secret: string, rawBody: string, header: string | null, now = new Date()) {
  const parts = new Map(
    (header ?? "").split(",").map((part) => {
      const index = part.indexOf("=");
      return [part.slice(0, index).trim(), part.slice(index + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1");
  if (!Number.isSafeInteger(t) || !v1) throw new WebhookSignatureError();
  if (Math.abs(now.getTime() / 1000 - t) > LOCAL_SIGNATURE_TOLERANCE_SECONDS) throw new WebhookSignatureError();
  if (!equalHex(hmac(secret, `${t}.${rawBody}`), v1)) throw new WebhookSignatureError();
}

/** The token of an order's checkout page and form: only the link the checkout handed out opens it. */
export const localPageToken = (secret: string, orderId: string) => hmac(secret, `checkout-page:${orderId}`);
export const validPageToken = (secret: string, orderId: string, token: string | undefined | null) =>
  typeof token === "string" && equalHex(localPageToken(secret, orderId), token);

const Paid = z.object({ orderId: z.string(), paymentRef: z.string(), amount: z.number(), currency: z.string() });
const Failed = z.object({ orderId: z.string(), reason: z.string() });
const Refunded = z.object({ orderId: z.string(), refundRef: z.string(), amount: z.number(), currency: z.string() });
const Envelope = z.object({ id: z.string().min(1).max(200), type: z.string().min(1).max(100), data: z.unknown() });

export interface LocalProviderDeps {
  env: Env;
  db: Db;
  /** Sends a signed webhook request to /webhooks/local: the API in process, or over HTTP to API_URL. */
  deliver?: (request: Request) => Promise<Response>;
  logger?: Logger;
  now?: () => Date;
}

export interface LocalProvider extends PaymentProvider {
  readonly name: "local";
  /** The buyer's choice on the checkout page: kept (the first one stands), then delivered as a webhook. */
  decide(order: { id: string; amount: number; currency: string }, choice: LocalChoice): Promise<{ delivered: boolean }>;
  /** Signs and POSTs an event to our own webhook route; whether it was accepted (2xx). */
  send(event: VerifiedEvent): Promise<boolean>;
}

export function createLocalProvider(deps: LocalProviderDeps): LocalProvider {
  const { env, db } = deps;
  const secret = localPaymentsSecret(env);
  const now = deps.now ?? (() => new Date());
  const webhookUrl = new URL("/webhooks/local", env.API_URL).toString();
  const deliver = deps.deliver ?? ((request: Request) => fetch(request));

  async function send(event: VerifiedEvent): Promise<boolean> {
    const body = JSON.stringify({ id: event.id, type: event.type, data: event.payload });
    try {
      const response = await deliver(
        new Request(webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [LOCAL_SIGNATURE_HEADER]: signLocalWebhook(secret, body, now()),
          },
          body,
        }),
      );
      await response.body?.cancel();
      return response.ok;
    } catch (error) {
      deps.logger?.warn({ err: error, eventId: event.id }, "local payment webhook not delivered");
      return false;
    }
  }

  const P = schema.localPayments;
  const stored = async (orderId: string): Promise<VerifiedEvent | null> => {
    const [row] = await db.select().from(P).where(eq(P.orderId, orderId));
    return row ? { id: row.eventId, type: row.type, payload: row.payload } : null;
  };

  return {
    name: "local",
    currencies: CURRENCIES,
    eventTypes: LOCAL_EVENT_TYPES,
    async startCheckout(request) {
      const url = new URL(`/pay/local/${request.orderId}`, env.API_URL);
      url.searchParams.set("token", localPageToken(secret, request.orderId));
      return { url: url.toString(), providerRef: `local_${request.orderId}` };
    },
    async verifyWebhook({ rawBody, headers }) {
      verifyLocalSignature(secret, rawBody, headers.get(LOCAL_SIGNATURE_HEADER), now());
      let parsed: z.infer<typeof Envelope>;
      try {
        parsed = Envelope.parse(JSON.parse(rawBody));
      } catch {
        throw new WebhookSignatureError("The webhook body is not a local payment event");
      }
      return { id: parsed.id, type: parsed.type, payload: parsed.data };
    },
    interpret(event): PaymentOutcome | null {
      switch (event.type) {
        case "payment.succeeded": {
          const p = Paid.parse(event.payload);
          return { kind: "paid", ...p };
        }
        case "payment.failed":
          return { kind: "failed", ...Failed.parse(event.payload) };
        case "refund.succeeded":
          return { kind: "refunded", ...Refunded.parse(event.payload) };
        default:
          return null;
      }
    },
    lookup: (order) => stored(order.id),
    async refund(request) {
      const refundRef = `re_local_${request.refundId}`;
      const event: VerifiedEvent = {
        id: `evt_${refundRef}`,
        type: "refund.succeeded",
        payload: { orderId: request.orderId, refundRef, amount: request.amount, currency: request.currency },
      };
      // Delivered after this call returns, as a provider's webhook comes after its API answer:
      // the refund's own transaction may still hold the order it will touch.
      setTimeout(() => void send(event), 0);
      return { refundRef, status: "succeeded" };
    },
    async decide(order, choice) {
      const event: VerifiedEvent =
        choice === "pay"
          ? {
              id: `evt_${randomUUID()}`,
              type: "payment.succeeded",
              payload: {
                orderId: order.id,
                paymentRef: `pay_local_${order.id}`,
                amount: order.amount,
                currency: order.currency,
              },
            }
          : {
              id: `evt_${randomUUID()}`,
              type: "payment.failed",
              payload: { orderId: order.id, reason: "declined on the local checkout page" },
            };
      await db
        .insert(P)
        .values({ orderId: order.id, eventId: event.id, type: event.type, payload: event.payload })
        .onConflictDoNothing({ target: P.orderId });
      const decided = await stored(order.id);
      if (!decided) throw new Error(`local payment of order ${order.id} vanished`);
      return { delivered: await send(decided) };
    },
    send,
  };
}
