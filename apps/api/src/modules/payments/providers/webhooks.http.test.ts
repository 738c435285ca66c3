import { schema } from "@lectern/db";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startPaymobFake, startPaystackFake, startStripeFake } from "../../../testing/index.ts";
import { useTestApp } from "../../../testing/vitest.ts";
import { person } from "../../tutoring/testing.ts";
import { applyEvent, recordEvent } from "../inbox.ts";
import { type PayoutOutcome, payoutEventHandlers } from "./payout-events.ts";
import { createPaystackPayouts, paystackTransferReference } from "./payouts-paystack.ts";
import { createPaystackProvider } from "./paystack.ts";

/**
 * The real providers behind the API's own doors: a test app configured with each fake's URL and
 * keys, a learner starting a checkout through tRPC, and the fake delivering its signed webhook to
 * /webhooks/<provider>. Delivered twice, the order is paid once.
 */

const stripe = await startStripeFake();
const paystack = await startPaystackFake();
const paymob = await startPaymobFake();
afterAll(() => Promise.all([stripe.close(), paystack.close(), paymob.close()]));
const t = await useTestApp({ ...stripe.env(), ...paystack.env(), ...paymob.env() });

const PRICES = { USD: 4800, NGN: 2_500_000, EGP: 150_000 } as const;

async function pack() {
  const [row] = await t.db
    .insert(schema.creditPacks)
    .values({
      name: `Pack ${crypto.randomUUID().slice(0, 6)}`,
      sessions: 4,
      sessionMinutes: 45,
      validityDays: 30,
      prices: PRICES,
    })
    .returning();
  if (!row) throw new Error("no pack");
  return row;
}

async function buy(currency: keyof typeof PRICES) {
  const learner = await person(t, "learner");
  const { orderId, url } = await learner.agent.trpc.payments.checkout.start.mutate({
    packId: (await pack()).id,
    currency,
  });
  return { learner, orderId, url, order: await orderOf(orderId) };
}

const orderOf = async (id: string) => {
  const [order] = await t.db.select().from(schema.orders).where(eq(schema.orders.id, id));
  if (!order) throw new Error(`no order ${id}`);
  return order;
};

/** Ledger transactions posted for an order (a sale is one). */
const postings = async (orderId: string) =>
  Number(
    (
      await t.db.execute<{ n: string }>(
        sql`select count(*)::text as n from ledger_transactions where reference_type = 'order' and reference_id = ${orderId}`,
      )
    ).rows[0]?.n,
  );

const lots = async (learnerId: string) =>
  (await t.db.select({ n: count() }).from(schema.creditLots).where(eq(schema.creditLots.learnerId, learnerId)))[0]?.n;

async function expectPaidOnce(orderId: string, learnerId: string) {
  const order = await orderOf(orderId);
  expect(order).toMatchObject({ status: "paid", flagReason: null });
  expect(await postings(orderId)).toBe(1);
  expect(await lots(learnerId)).toBe(1);
  return order;
}

describe("Stripe through /webhooks/stripe", () => {
  it("a signed checkout.session.completed pays the order once; a bad signature is refused", async () => {
    const { learner, orderId, url, order } = await buy("USD");
    expect(order).toMatchObject({ provider: "stripe", providerRef: expect.stringMatching(/^cs_test_/) });
    expect(url).toBe(`${stripe.url}/pay/${order.providerRef}`);

    const event = stripe.completeSession(String(order.providerRef));
    const forged = await stripe.deliver("http://localhost/webhooks/stripe", event, { signature: "bad", via: t.app });
    expect(forged.status).toBe(400);
    expect((await orderOf(orderId)).status).toBe("pending");

    const first = await stripe.deliver("http://localhost/webhooks/stripe", event, { via: t.app });
    const again = await stripe.deliver("http://localhost/webhooks/stripe", event, { via: t.app });
    expect(first.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "already_processed" });
    const paid = await expectPaidOnce(orderId, learner.user.id);
    expect(paid.paymentRef).toBe(stripe.sessions.get(String(order.providerRef))?.payment_intent);
  });

  it("the return page's lookup and the late webhook count once together", async () => {
    const { learner, orderId, order } = await buy("USD");
    const event = stripe.completeSession(String(order.providerRef));
    expect(await learner.agent.trpc.payments.orders.confirm.mutate({ orderId })).toMatchObject({ status: "paid" });
    const late = await stripe.deliver("http://localhost/webhooks/stripe", event, { via: t.app });
    expect(late.status).toBe(200);
    await expectPaidOnce(orderId, learner.user.id);
  });
});

describe("the fakes' hosted pages, as a browser uses them", () => {
  it("Stripe: the buyer pays on the page, the webhook lands, the browser returns with the session id", async () => {
    stripe.deliverWebhooksTo("http://localhost/webhooks/stripe", t.app);
    const { learner, orderId, url, order } = await buy("USD");
    expect((await fetch(url)).status).toBe(200);
    const back = await fetch(url, { method: "POST", redirect: "manual" });
    expect(back.status).toBe(303);
    const location = new URL(String(back.headers.get("location")));
    expect(location.searchParams.get("orderId")).toBe(orderId);
    expect(location.searchParams.get("session_id")).toBe(order.providerRef);
    await expectPaidOnce(orderId, learner.user.id);
  });

  it("Paystack: the page pays, delivers charge.success and returns to the callback with the reference", async () => {
    paystack.deliverWebhooksTo("http://localhost/webhooks/paystack", t.app);
    const { learner, orderId, url, order } = await buy("NGN");
    expect((await fetch(url)).status).toBe(200);
    const back = await fetch(url, { method: "POST", redirect: "manual" });
    expect(back.status).toBe(303);
    const location = new URL(String(back.headers.get("location")));
    expect(location.searchParams.get("orderId")).toBe(orderId);
    expect(location.searchParams.get("reference")).toBe(order.providerRef);
    await expectPaidOnce(orderId, learner.user.id);
  });

  it("Paymob: the iframe page pays and delivers the processed callback", async () => {
    paymob.deliverWebhooksTo("http://localhost/webhooks/paymob", t.app);
    const { learner, orderId, url } = await buy("EGP");
    const page = await fetch(url);
    const action = (await page.text()).match(/action="([^"]+)"/)?.[1];
    expect(action).toBeDefined();
    expect((await fetch(`${paymob.url}${action}`, { method: "POST" })).status).toBe(200);
    await expectPaidOnce(orderId, learner.user.id);
  });
});

describe("Paystack through /webhooks/paystack", () => {
  it("a signed charge.success pays the order once; a tampered amount flags it instead", async () => {
    const { learner, orderId, order } = await buy("NGN");
    expect(order).toMatchObject({ provider: "paystack", providerRef: expect.stringContaining(orderId) });
    const body = paystack.pay(String(order.providerRef));
    expect(
      (await paystack.deliver("http://localhost/webhooks/paystack", body, { signature: "bad", via: t.app })).status,
    ).toBe(400);
    for (let i = 0; i < 2; i++) {
      expect((await paystack.deliver("http://localhost/webhooks/paystack", body, { via: t.app })).status).toBe(200);
    }
    await expectPaidOnce(orderId, learner.user.id);

    const other = await buy("NGN");
    const tampered = paystack.pay(String(other.order.providerRef), { amount: 100 });
    expect((await paystack.deliver("http://localhost/webhooks/paystack", tampered, { via: t.app })).status).toBe(200);
    expect(await orderOf(other.orderId)).toMatchObject({
      status: "pending",
      flagReason: expect.stringContaining("100"),
    });
    expect(await postings(other.orderId)).toBe(0);
  });
});

describe("Paymob through /webhooks/paymob", () => {
  it("a processed callback with its hmac pays the order once; a bad hmac is refused", async () => {
    const { learner, orderId, url, order } = await buy("EGP");
    expect(order).toMatchObject({ provider: "paymob" });
    expect(url).toContain(`${paymob.url}/api/acceptance/iframes/`);
    const body = paymob.pay(Number(order.providerRef));
    expect(
      (await paymob.deliver("http://localhost/webhooks/paymob", body, { signature: "bad", via: t.app })).status,
    ).toBe(400);
    for (let i = 0; i < 2; i++) {
      expect((await paymob.deliver("http://localhost/webhooks/paymob", body, { via: t.app })).status).toBe(200);
    }
    await expectPaidOnce(orderId, learner.user.id);
  });
});

describe("payout events through the inbox", () => {
  it("a signed transfer.success, recorded twice, settles its withdrawal once", async () => {
    const payouts = createPaystackPayouts(t.env);
    const { recipientCode } = await payouts.createRecipient({
      name: "ADA OBI",
      accountNumber: "0001234567",
      bankCode: "058",
    });
    const withdrawalId = crypto.randomUUID();
    await payouts.send({ withdrawalId, amount: 10_000, currency: "NGN", destination: { recipientCode } });
    const body = paystack.settleTransfer(paystackTransferReference(withdrawalId), "success");
    const raw = JSON.stringify(body);
    const event = await createPaystackProvider(t.env).verifyWebhook({
      rawBody: raw,
      headers: new Headers({ "x-paystack-signature": paystack.signature(raw) }),
      url: new URL("http://localhost/webhooks/paystack"),
    });

    const settled: PayoutOutcome[] = [];
    const handlers = payoutEventHandlers("paystack", async (_tx, outcome) => {
      settled.push(outcome);
    });
    // Its own provider name in the inbox, so this test's handlers meet no one else's.
    const inbox = `paystack-payouts-${crypto.randomUUID()}`;
    for (let i = 0; i < 2; i++) {
      await recordEvent(t.db, inbox, event);
      await applyEvent(t.db, inbox, event.id, handlers);
    }
    expect(settled).toEqual([{ withdrawalId, status: "paid", reason: null }]);
  });
});
