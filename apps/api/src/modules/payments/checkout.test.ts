import { CHECKOUT_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, count, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createApp } from "../../app.ts";
import { createTaskList } from "../../jobs/tasks.ts";
import type { AppRouter } from "../../router.ts";
import { type Agent, latestEmail, signedInAs, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import { creditBalance, ledgerInvariants, person } from "../tutoring/testing.ts";
import { EXPIRE_ORDERS_TASK } from "./jobs.ts";
import { LOCAL_SIGNATURE_HEADER, localPaymentsSecret, signLocalWebhook } from "./providers/local.ts";
import { createPaymentRegistry } from "./providers/registry.ts";
import type { PaymentProvider } from "./providers/types.ts";

const t = await useTestApp({ TAX_LABEL: "VAT", TAX_RATE_BASIS_POINTS: "2000" });
const secret = localPaymentsSecret(t.env);

async function pack(prices: Record<string, number> = { USD: 4800, EGP: 150000 }, active = true) {
  const [row] = await t.db
    .insert(schema.creditPacks)
    .values({
      name: `Pack ${crypto.randomUUID().slice(0, 6)}`,
      sessions: 4,
      sessionMinutes: 45,
      validityDays: 30,
      prices,
      active,
    })
    .returning();
  if (!row) throw new Error("no pack");
  return row;
}

function withKey(agent: Agent, key: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { "idempotency-key": key },
        fetch: (input, init) => agent.fetch(String(input), init as RequestInit),
      }),
    ],
  });
}

const orderOf = async (id: string) => {
  const [order] = await t.db.select().from(schema.orders).where(eq(schema.orders.id, id));
  if (!order) throw new Error(`no order ${id}`);
  return order;
};

const lotsOf = async (learnerId: string) =>
  (await t.db.select({ n: count() }).from(schema.creditLots).where(eq(schema.creditLots.learnerId, learnerId)))[0]?.n;

const inboxRows = async () => (await t.db.select({ n: count() }).from(schema.providerEvents))[0]?.n ?? 0;

const sales = async (orderId: string) =>
  Number(
    (
      await t.db.execute<{ n: string }>(
        sql`select count(*)::text as n from ledger_transactions where reference_type = 'order' and reference_id = ${orderId}`,
      )
    ).rows[0]?.n,
  );

/** POSTs a local event to the webhook route, signed as the local provider signs (or otherwise). */
function sendLocal(
  event: { id: string; type: string; data: unknown },
  options: { secret?: string; at?: Date; signature?: string } = {},
) {
  const body = JSON.stringify(event);
  return t.app.request("/webhooks/local", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [LOCAL_SIGNATURE_HEADER]: options.signature ?? signLocalWebhook(options.secret ?? secret, body, options.at),
    },
    body,
  });
}

const paidEvent = (order: { id: string; amount: number; currency: string }, id = `evt_${crypto.randomUUID()}`) => ({
  id,
  type: "payment.succeeded",
  data: { orderId: order.id, paymentRef: `pay_${order.id}`, amount: order.amount, currency: order.currency },
});

async function startOrder(agent: Agent, packId: string, currency: "USD" | "EGP" = "USD") {
  const started = await agent.trpc.payments.checkout.start.mutate({ packId, currency });
  return { ...started, order: await orderOf(started.orderId) };
}

/** What the buyer does on the local checkout page: opens the link, presses Pay or Decline. */
async function choose(agent: Agent, url: string, action: "pay" | "decline") {
  const page = await agent.fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const token = html.match(/name="token" value="([^"]+)"/)?.[1];
  if (!token) throw new Error("no token in the checkout page");
  const path = new URL(url).pathname;
  const response = await agent.fetch(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, action }).toString(),
  });
  return { html, response };
}

describe("payments.checkout.start", () => {
  it("prices the order on the server in the chosen currency, with the tax included, and opens the local checkout", async () => {
    const learner = await person(t, "learner");
    const p = await pack({ USD: 4800, EGP: 150000 });
    const { url, order } = await startOrder(learner.agent, p.id, "EGP");
    expect(order).toMatchObject({
      buyerId: learner.user.id,
      itemId: p.id,
      amount: 150000,
      currency: "EGP",
      taxAmount: 25000,
      taxLabel: "VAT",
      credits: 4,
      sessionMinutes: 45,
      validityDays: 30,
      status: "pending",
      provider: "local",
      checkoutUrl: url,
    });
    expect(order.expiresAt.getTime() - order.createdAt.getTime()).toBe(t.env.ORDER_EXPIRY_MINUTES * 60_000);
    expect(new URL(url).pathname).toBe(`/pay/local/${order.id}`);
  });

  it("refuses a currency the pack is not sold in, and a pack no longer on sale", async () => {
    const learner = await person(t, "learner");
    const p = await pack({ USD: 4800, NGN: 0 });
    for (const currency of ["EUR", "NGN"] as const)
      expect(
        await trpcError(learner.agent.trpc.payments.checkout.start.mutate({ packId: p.id, currency })),
      ).toMatchObject({ status: 400, appCode: "PRICE_NOT_AVAILABLE" });
    const retired = await pack({ USD: 4800 }, false);
    expect(
      await trpcError(learner.agent.trpc.payments.checkout.start.mutate({ packId: retired.id, currency: "USD" })),
    ).toMatchObject({ status: 404, appCode: "PACK_NOT_FOUND" });
    expect(await t.db.select().from(schema.orders).where(eq(schema.orders.buyerId, learner.user.id))).toEqual([]);
  });

  it("replays the same Idempotency-Key and refuses it with another body", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    const key = `checkout-${crypto.randomUUID()}`;
    const client = withKey(learner.agent, key);
    const first = await client.payments.checkout.start.mutate({ packId: p.id, currency: "USD" });
    const again = await client.payments.checkout.start.mutate({ packId: p.id, currency: "USD" });
    expect(again).toEqual(first);
    expect(await t.db.select().from(schema.orders).where(eq(schema.orders.buyerId, learner.user.id))).toHaveLength(1);
    expect(await trpcError(client.payments.checkout.start.mutate({ packId: p.id, currency: "EGP" }))).toMatchObject({
      status: 422,
      appCode: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it("is refused to an admin acting as the learner", async () => {
    const admin = await signedInAs(t, "admin");
    const learner = await person(t, "learner");
    const p = await pack();
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id });
    expect(
      await trpcError(admin.agent.trpc.payments.checkout.start.mutate({ packId: p.id, currency: "USD" })),
    ).toMatchObject({ status: 403, appCode: "NOT_WHILE_IMPERSONATING" });
    expect(await t.db.select().from(schema.orders).where(eq(schema.orders.buyerId, learner.user.id))).toEqual([]);
  });

  it("limits checkouts per user and per address with 429 and Retry-After", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    for (let i = 0; i < CHECKOUT_POLICY.perUser.max; i += 1)
      await learner.agent.trpc.payments.checkout.start.mutate({ packId: p.id, currency: "USD" });
    const response = await learner.agent.fetch("/api/trpc/payments.checkout.start", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(superjson.serialize({ packId: p.id, currency: "USD" })),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await t.db.select().from(schema.orders).where(eq(schema.orders.buyerId, learner.user.id))).toHaveLength(
      CHECKOUT_POLICY.perUser.max,
    );

    // Several accounts behind one address share its budget.
    const ip = "203.0.113.77";
    const others = await Promise.all(
      Array.from({ length: Math.ceil(CHECKOUT_POLICY.perIp.max / CHECKOUT_POLICY.perUser.max) + 1 }, async () => {
        const other = await person(t, "learner");
        return other.agent.with({ ip });
      }),
    );
    const outcomes: string[] = [];
    for (const agent of others)
      for (let i = 0; i < CHECKOUT_POLICY.perUser.max; i += 1)
        outcomes.push(
          await agent.trpc.payments.checkout.start
            .mutate({ packId: p.id, currency: "USD" })
            .then(() => "ok")
            .catch(() => "refused"),
        );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(CHECKOUT_POLICY.perIp.max);
  });
});

describe("the local checkout", () => {
  it("pays through its page with a signed webhook: credits, receipt email, sale posted, return page", async () => {
    const learner = await person(t, "learner", { locale: "ar" });
    const p = await pack();
    const { url, order } = await startOrder(learner.agent, p.id);
    const { html, response } = await choose(learner.agent, url, "pay");
    expect(html).toContain('dir="rtl"');
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${t.env.WEB_URL}/checkout/return?orderId=${order.id}`);

    const paid = await orderOf(order.id);
    expect(paid).toMatchObject({ status: "paid", paymentRef: `pay_local_${order.id}` });
    expect(paid.creditLotId).not.toBeNull();
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    expect(await sales(order.id)).toBe(1);

    const view = await learner.agent.trpc.payments.orders.confirm.mutate({ orderId: order.id });
    expect(view).toMatchObject({ status: "paid", receiptNumber: expect.stringMatching(/^LEC-\d{6,}$/) });
    const receipt = await learner.agent.trpc.payments.receipts.get.query({ orderId: order.id });
    expect(receipt).toMatchObject({ amount: 4800, currency: "USD", taxAmount: 800, taxLabel: "VAT", credits: 4 });
    const email = await latestEmail(t.db, learner.email, "payment-receipt");
    expect(email.textBody).toContain(receipt.receiptNumber);
    expect(email.textBody).toContain("VAT");
    expect(email.subject).toContain("إيصالك");
    await expectLedgerSound();
  });

  it("declines through its page: the order fails, nothing is granted", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    const { url, order } = await startOrder(learner.agent, p.id);
    const { response } = await choose(learner.agent, url, "decline");
    expect(response.headers.get("location")).toContain("cancelled=1");
    expect((await orderOf(order.id)).status).toBe("failed");
    expect(await lotsOf(learner.user.id)).toBe(0);
    expect(await trpcError(learner.agent.trpc.payments.receipts.get.query({ orderId: order.id }))).toMatchObject({
      status: 409,
      appCode: "ORDER_NOT_PAID",
    });
  });

  it("refuses the page and its form without the order's token", async () => {
    const learner = await person(t, "learner");
    const { order } = await startOrder(learner.agent, (await pack()).id);
    expect((await learner.agent.fetch(`/pay/local/${order.id}?token=forged`)).status).toBe(404);
    const forged = await learner.agent.fetch(`/pay/local/${order.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "0".repeat(64), action: "pay" }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await orderOf(order.id)).status).toBe("pending");
  });

  it("keeps a buyer's orders and receipts to themselves", async () => {
    const learner = await person(t, "learner");
    const stranger = await person(t, "learner");
    const { url, order } = await startOrder(learner.agent, (await pack()).id);
    await choose(learner.agent, url, "pay");
    expect((await learner.agent.trpc.payments.orders.list.query({})).items.map((o) => o.id)).toEqual([order.id]);
    expect((await stranger.agent.trpc.payments.orders.list.query({})).items).toEqual([]);
    for (const call of [
      () => stranger.agent.trpc.payments.receipts.get.query({ orderId: order.id }),
      () => stranger.agent.trpc.payments.orders.get.query({ orderId: order.id }),
      () => stranger.agent.trpc.payments.orders.confirm.mutate({ orderId: order.id }),
    ])
      expect(await trpcError(call())).toMatchObject({ status: 404, appCode: "ORDER_NOT_FOUND" });
  });
});

describe("POST /webhooks/local", () => {
  it("refuses a bad or stale signature with 400 and records nothing", async () => {
    const learner = await person(t, "learner");
    const { order } = await startOrder(learner.agent, (await pack()).id);
    const before = await inboxRows();
    const event = paidEvent(order);
    expect((await sendLocal(event, { secret: "x".repeat(64) })).status).toBe(400);
    expect((await sendLocal(event, { signature: "t=1,v1=abc" })).status).toBe(400);
    expect((await sendLocal(event, { signature: "" })).status).toBe(400);
    expect((await sendLocal(event, { at: new Date(Date.now() - 301_000) })).status).toBe(400);
    expect((await sendLocal(event, { at: new Date(Date.now() + 301_000) })).status).toBe(400);
    expect(await inboxRows()).toBe(before);
    expect((await orderOf(order.id)).status).toBe("pending");
  });

  it("answers 200 to event types it does not act on, without recording them", async () => {
    const before = await inboxRows();
    const response = await sendLocal({ id: `evt_${crypto.randomUUID()}`, type: "customer.created", data: {} });
    expect(response.status).toBe(200);
    expect(await inboxRows()).toBe(before);
  });

  it("grants once for the same event delivered ten times, five at once", async () => {
    const learner = await person(t, "learner");
    const { order } = await startOrder(learner.agent, (await pack()).id);
    const event = paidEvent(order);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => sendLocal(event)));
    for (const r of concurrent) expect([200, 409]).toContain(r.status);
    for (let i = 0; i < 5; i += 1) expect((await sendLocal(event)).status).toBe(200);
    expect(await lotsOf(learner.user.id)).toBe(1);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    expect(await sales(order.id)).toBe(1);
    const [row] = await t.db
      .select()
      .from(schema.providerEvents)
      .where(and(eq(schema.providerEvents.provider, "local"), eq(schema.providerEvents.eventId, event.id)));
    expect(row?.status).toBe("processed");
    await expectLedgerSound();
  });

  it("grants once when two different events both say paid", async () => {
    const learner = await person(t, "learner");
    const { order } = await startOrder(learner.agent, (await pack()).id);
    await Promise.all([sendLocal(paidEvent(order)), sendLocal(paidEvent(order))]);
    expect(await lotsOf(learner.user.id)).toBe(1);
    expect(await sales(order.id)).toBe(1);
  });

  it("flags a payment whose amount or currency differs and grants nothing", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    const { order: cheap } = await startOrder(learner.agent, p.id);
    const { order: foreign } = await startOrder(learner.agent, p.id);
    expect((await sendLocal(paidEvent({ ...cheap, amount: 1 }))).status).toBe(200);
    expect((await sendLocal(paidEvent({ ...foreign, currency: "EGP" }))).status).toBe(200);
    for (const id of [cheap.id, foreign.id]) {
      const flagged = await orderOf(id);
      expect(flagged.status).toBe("pending");
      expect(flagged.flagReason).toMatch(/^paid /);
      expect(flagged.creditLotId).toBeNull();
      expect(await sales(id)).toBe(0);
    }
    // The right payment arriving afterwards does not grant on its own either: an admin decides.
    await sendLocal(paidEvent(cheap));
    expect(await lotsOf(learner.user.id)).toBe(0);
    expect((await learner.agent.trpc.payments.orders.get.query({ orderId: cheap.id })).underReview).toBe(true);
  });

  it("keeps a paid order paid when a failure arrives late, and ends paid whichever comes first", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    const failed = (order: { id: string }) => ({
      id: `evt_${crypto.randomUUID()}`,
      type: "payment.failed",
      data: { orderId: order.id, reason: "card declined" },
    });
    const { order: first } = await startOrder(learner.agent, p.id);
    await sendLocal(paidEvent(first));
    await sendLocal(failed(first));
    const { order: second } = await startOrder(learner.agent, p.id);
    await sendLocal(failed(second));
    expect((await orderOf(second.id)).status).toBe("failed");
    await sendLocal(paidEvent(second));
    for (const id of [first.id, second.id]) expect((await orderOf(id)).status).toBe("paid");
    expect(await lotsOf(learner.user.id)).toBe(2);
  });
});

describe("payments.orders.confirm", () => {
  it("finds a payment whose webhook was lost and applies it once, through the same inbox", async () => {
    // An API whose local provider's webhooks never arrive.
    const lost = createApp({
      env: t.env,
      database: t.database,
      auth: t.auth,
      logger: t.logger,
      payments: createPaymentRegistry({
        env: t.env,
        db: t.db,
        deliverLocal: async () => new Response("unreachable", { status: 502 }),
      }),
    });
    const learner = await person(t, "learner");
    const buyer = learner.agent.with({ target: lost });
    const { url, order } = await startOrder(buyer, (await pack()).id);
    await choose(buyer, url, "pay");
    expect((await orderOf(order.id)).status).toBe("pending");

    const confirmed = await buyer.trpc.payments.orders.confirm.mutate({ orderId: order.id });
    expect(confirmed.status).toBe("paid");
    await buyer.trpc.payments.orders.confirm.mutate({ orderId: order.id });
    // The webhook arriving after all is the same provider event: recorded once, applied once.
    const [local] = await t.db.select().from(schema.localPayments).where(eq(schema.localPayments.orderId, order.id));
    if (!local) throw new Error("no local payment");
    expect((await sendLocal({ id: local.eventId, type: local.type, data: local.payload })).status).toBe(200);
    expect(await lotsOf(learner.user.id)).toBe(1);
    expect(await sales(order.id)).toBe(1);
  });

  it("leaves a pending order pending while nothing is settled", async () => {
    const learner = await person(t, "learner");
    const { order } = await startOrder(learner.agent, (await pack()).id);
    expect((await learner.agent.trpc.payments.orders.confirm.mutate({ orderId: order.id })).status).toBe("pending");
  });
});

describe("the provider registry", () => {
  /** A stand-in provider for routing and failure tests: it opens no page and records what it was asked. */
  const stub = (name: "stripe" | "paystack", fail = false): PaymentProvider => ({
    ...createPaymentRegistry({ env: t.env, db: t.db }).local,
    name,
    currencies: [],
    async startCheckout(request) {
      if (fail) throw new Error("provider down");
      return { url: `https://pay.example.com/${request.orderId}`, providerRef: `${name}_${request.orderId}` };
    },
  });

  it("routes each currency to its provider when configured, and the rest to local", () => {
    const registry = createPaymentRegistry({ env: t.env, db: t.db, providers: { stripe: stub("stripe") } });
    expect(["USD", "GBP", "EUR", "NGN", "EGP"].map((c) => registry.forCurrency(c as "USD").name)).toEqual([
      "stripe",
      "stripe",
      "stripe",
      "local",
      "local",
    ]);
    expect(registry.providerByName("stripe")?.name).toBe("stripe");
    expect(registry.providerByName("paymob")).toBeNull();
    expect(createPaymentRegistry({ env: t.env, db: t.db }).forCurrency("USD").name).toBe("local");
  });

  it("stores the provider's reference, and fails the order with 409 when the provider cannot open a checkout", async () => {
    const appWith = (provider: PaymentProvider) =>
      createApp({
        env: t.env,
        database: t.database,
        auth: t.auth,
        logger: t.logger,
        payments: createPaymentRegistry({ env: t.env, db: t.db, providers: { stripe: provider } }),
      });
    const learner = await person(t, "learner");
    const p = await pack();
    const working = learner.agent.with({ target: appWith(stub("stripe")) });
    const { orderId, url } = await working.trpc.payments.checkout.start.mutate({ packId: p.id, currency: "USD" });
    expect(url).toBe(`https://pay.example.com/${orderId}`);
    expect(await orderOf(orderId)).toMatchObject({
      provider: "stripe",
      providerRef: `stripe_${orderId}`,
      checkoutUrl: url,
    });

    const down = learner.agent.with({ target: appWith(stub("stripe", true)) });
    expect(await trpcError(down.trpc.payments.checkout.start.mutate({ packId: p.id, currency: "USD" }))).toMatchObject({
      status: 409,
      appCode: "PAYMENT_PROVIDER_UNAVAILABLE",
    });
    const orders = await t.db.select().from(schema.orders).where(eq(schema.orders.buyerId, learner.user.id));
    expect(orders.map((o) => o.status).sort()).toEqual(["failed", "pending"]);
  });
});

describe("order expiry", () => {
  const tasks = createTaskList({ db: t.db, email: createEmailProvider(t.env, t.logger), logger: t.logger });
  const runExpiry = () => (tasks[EXPIRE_ORDERS_TASK] as (payload: unknown, helpers: unknown) => Promise<void>)({}, {});

  it("expires pending orders past their deadline, not flagged ones, and a late payment still counts", async () => {
    const learner = await person(t, "learner");
    const p = await pack();
    const { order: due } = await startOrder(learner.agent, p.id);
    const { order: flagged } = await startOrder(learner.agent, p.id);
    const { order: fresh } = await startOrder(learner.agent, p.id);
    await sendLocal(paidEvent({ ...flagged, amount: 1 }));
    const past = new Date(Date.now() - 60_000);
    await t.db
      .update(schema.orders)
      .set({ expiresAt: past })
      .where(sql`${schema.orders.id} in (${due.id}, ${flagged.id})`);
    await runExpiry();
    expect((await orderOf(due.id)).status).toBe("expired");
    expect((await orderOf(flagged.id)).status).toBe("pending");
    expect((await orderOf(fresh.id)).status).toBe("pending");
    // The provider took the money after all: the order is paid, not left expired.
    await sendLocal(paidEvent(due));
    expect((await orderOf(due.id)).status).toBe("paid");
    expect(await lotsOf(learner.user.id)).toBe(1);
  });
});

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.held).toBe(invariants.issued);
}
