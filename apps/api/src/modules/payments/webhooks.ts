import { formatReceiptNumber } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { returnUrlFor } from "./checkout.ts";
import { applyEvent, type EventHandlers, providerEventHandlers, recordEvent, registerEventHandlers } from "./inbox.ts";
import { applyPaymentOutcome } from "./orders.ts";
import { localPageToken, localPaymentsSecret, validPageToken } from "./providers/local.ts";
import type { PaymentRegistry } from "./providers/registry.ts";
import { type PaymentProvider, WebhookSignatureError } from "./providers/types.ts";
import { formatMoney } from "./receipts.ts";
import { applyRefundOutcome } from "./refunds.ts";

/**
 * The doors providers use: `POST /webhooks/:provider` (signed events, raw body) and the local
 * provider's checkout page `/pay/local/:orderId`. Both end in the provider-event inbox.
 */

/**
 * Inbox handlers for each event type a payment provider acts on: the provider interprets the
 * payload, and the outcome is applied in the inbox's transaction. Registered once per provider
 * name (a second registry in the same process, as tests build, reuses the first's handlers: an
 * interpretation depends on the payload alone).
 */
export function registerPaymentHandlers(provider: PaymentProvider): void {
  const existing = providerEventHandlers[provider.name] ?? {};
  const handlers: EventHandlers = {};
  for (const type of provider.eventTypes) {
    if (existing[type]) continue;
    handlers[type] = async (tx, event) => {
      const outcome = provider.interpret({ type: event.type, payload: event.payload });
      if (!outcome) return;
      if (outcome.kind === "refunded" || outcome.kind === "refund_failed") await applyRefundOutcome(tx, outcome);
      else await applyPaymentOutcome(tx, outcome);
    };
  }
  registerEventHandlers(provider.name, handlers);
}

export interface PaymentRoutesDeps {
  db: Db;
  env: Env;
  payments: PaymentRegistry;
  logger: Logger;
}

/** A webhook body is small; a bigger one is not a provider's. */
const WEBHOOK_BODY_LIMIT = 256 * 1024;

export function paymentRoutes({ db, env, payments, logger }: PaymentRoutesDeps) {
  for (const provider of payments.all()) registerPaymentHandlers(provider);
  const routes = new Hono();

  routes.post(
    "/webhooks/:provider",
    bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT, onError: (c) => c.json({ error: "payload too large" }, 413) }),
    async (c) => {
      const provider = payments.providerByName(c.req.param("provider"));
      if (!provider) return c.json({ error: "unknown provider" }, 404);
      const rawBody = await c.req.text();
      let event: Awaited<ReturnType<PaymentProvider["verifyWebhook"]>>;
      try {
        event = await provider.verifyWebhook({ rawBody, headers: c.req.raw.headers, url: new URL(c.req.url) });
      } catch (error) {
        if (error instanceof WebhookSignatureError) return c.json({ error: error.message }, 400);
        throw error;
      }
      let acted: boolean;
      try {
        // Payment events the provider interprets, and payout events the wallet registered handlers for.
        acted = provider.interpret(event) !== null || providerEventHandlers[provider.name]?.[event.type] !== undefined;
      } catch {
        // Signed by the provider but not in the shape its type promises: nothing to apply, ever.
        return c.json({ error: "unreadable event payload" }, 400);
      }
      if (!acted) return c.json({ received: true, ignored: true });
      await recordEvent(db, provider.name, event);
      try {
        const outcome = await applyEvent(db, provider.name, event.id, providerEventHandlers[provider.name] ?? {});
        if (outcome.status === "failed") {
          logger.error(
            { provider: provider.name, eventId: event.id, error: outcome.error },
            "webhook event not applied",
          );
          // A failed apply answers 500 so the provider retries; the inbox keeps it for the console's replay.
          return c.json({ error: "event not applied" }, 500);
        }
        return c.json({ received: true, status: outcome.status });
      } catch (error) {
        if (error instanceof AppError && error.code === "PROVIDER_EVENT_BUSY")
          return c.json({ error: "event being applied" }, 409);
        throw error;
      }
    },
  );

  const secret = localPaymentsSecret(env);
  const O = schema.orders;
  const loadPage = async (orderId: string, token: string | null | undefined) => {
    if (!/^[0-9a-f-]{36}$/i.test(orderId) || !validPageToken(secret, orderId, token)) return null;
    const [row] = await db
      .select({ order: O, locale: schema.users.locale })
      .from(O)
      .innerJoin(schema.users, eq(schema.users.id, O.buyerId))
      .where(eq(O.id, orderId));
    return row && row.order.provider === "local" ? row : null;
  };

  routes.get("/pay/local/:orderId", async (c) => {
    const found = await loadPage(c.req.param("orderId"), c.req.query("token"));
    if (!found) return c.html(notFoundPage(), 404);
    return c.html(
      checkoutPage(found.order, found.locale === "ar" ? "ar" : "en", localPageToken(secret, found.order.id)),
    );
  });

  routes.post(
    "/pay/local/:orderId",
    bodyLimit({ maxSize: 4096, onError: (c) => c.html(notFoundPage(), 413) }),
    async (c) => {
      const form = await c.req.parseBody();
      const token = typeof form.token === "string" ? form.token : null;
      const found = await loadPage(c.req.param("orderId"), token);
      if (!found) return c.html(notFoundPage(), 403);
      const choice = form.action === "pay" ? "pay" : form.action === "decline" ? "decline" : null;
      if (!choice) return c.html(notFoundPage(), 400);
      const { order } = found;
      if (order.status === "pending") {
        const { delivered } = await payments.local.decide(order, choice);
        // An undelivered webhook is found again by the return page's lookup.
        if (!delivered) logger.warn({ orderId: order.id }, "local payment webhook was not accepted");
      }
      return c.redirect(returnUrlFor(env, order.id, choice === "decline"), 303);
    },
  );
  return routes;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const PAGE_COPY = {
  en: {
    title: "Lectern test checkout",
    notice: "This is Lectern's local checkout: no real money moves. Choose what the payment does.",
    item: "Item",
    credits: (n: number) => `${n} session credits`,
    amount: "Amount",
    tax: (label: string) => `${label} (included)`,
    pay: "Pay",
    decline: "Decline",
    done: "This order is no longer waiting for payment.",
    receipt: (n: string) => `Receipt ${n}`,
  },
  ar: {
    title: "دفع تجريبي في ليكترن",
    notice: "هذه صفحة الدفع المحلية في ليكترن: لا تُنقل أموال حقيقية. اختر ما يفعله الدفع.",
    item: "المنتج",
    credits: (n: number) => `${n} رصيد جلسات`,
    amount: "المبلغ",
    tax: (label: string) => `${label} (مشمولة)`,
    pay: "ادفع",
    decline: "ارفض",
    done: "هذا الطلب لم يعد بانتظار الدفع.",
    receipt: (n: string) => `الإيصال ${n}`,
  },
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#1a1b1e}
main{max-width:28rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem;box-shadow:0 1px 3px #0002}
dl{display:grid;grid-template-columns:auto 1fr;gap:.5rem 1rem}dt{color:#555}dd{margin:0;font-weight:600}
form{display:flex;gap:.75rem;margin-top:1.5rem}button{flex:1;font-size:1rem;padding:.75rem;border-radius:6px;border:1px solid #228be6;cursor:pointer}
button[value=pay]{background:#228be6;color:#fff}button[value=decline]{background:#fff;color:#228be6}`;

function checkoutPage(order: typeof schema.orders.$inferSelect, locale: "en" | "ar", token: string) {
  const t = PAGE_COPY[locale];
  const rows = [
    [t.item, order.description],
    ...(order.credits ? [["", t.credits(order.credits)]] : []),
    [t.amount, formatMoney(order.amount, order.currency, locale)],
    ...(order.taxLabel && order.taxAmount > 0
      ? [[t.tax(order.taxLabel), formatMoney(order.taxAmount, order.currency, locale)]]
      : []),
  ];
  const action =
    order.status === "pending"
      ? `<form method="post" action="/pay/local/${order.id}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit" name="action" value="pay">${t.pay}</button>
<button type="submit" name="action" value="decline">${t.decline}</button></form>`
      : `<p>${t.done}${order.receiptNumber ? ` ${escapeHtml(t.receipt(formatReceiptNumber(order.receiptNumber)))}` : ""}</p>`;
  return `<!doctype html><html lang="${locale}" dir="${locale === "ar" ? "rtl" : "ltr"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${t.title}</title><style>${STYLE}</style></head>
<body><main><h1>${t.title}</h1><p>${t.notice}</p><dl>${rows
    .map(([k, v]) => `<dt>${escapeHtml(k ?? "")}</dt><dd>${escapeHtml(v ?? "")}</dd>`)
    .join("")}</dl>${action}</main></body></html>`;
}

const notFoundPage = () =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><p>This checkout link is not valid.</p></body></html>`;
