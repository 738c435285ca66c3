import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { createTaskList } from "../../jobs/tasks.ts";
import type { AppRouter } from "../../router.ts";
import { type Agent, rawTrpc, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { systemAccountId } from "../ledger/accounts.ts";
import { createEmailProvider } from "../notifications/providers.ts";
import {
  ALWAYS,
  creditBalance,
  jobsWithKeyPrefix,
  ledgerInvariants,
  type Person,
  person,
  slotIn,
} from "../tutoring/testing.ts";
import { localPaymentsSecret, signLocalWebhook } from "./providers/local.ts";
import { createPaymentRegistry } from "./providers/registry.ts";
import { applyRefundOutcome, SEND_REFUND_TASK, sendRefund } from "./refunds.ts";

const t = await useTestApp();

const admin = await person(t, "admin");
const pack = await admin.agent.trpc.admin.packs.create.mutate({
  name: "Regular",
  sessions: 4,
  prices: { USD: 4000, EGP: 99_999 },
});

/** The app's own registry shape: the local provider delivers its webhooks to this app. */
const registry = createPaymentRegistry({ env: t.env, db: t.db, deliverLocal: async (request) => t.app.fetch(request) });
const providerOf = (name: string) => {
  const provider = registry.providerByName(name);
  if (!provider) throw new Error(`no provider ${name}`);
  return provider;
};

/** A learner buys the pack through the local checkout page, as in the browser: start, then Pay. */
async function buy(learner: Person, currency: "USD" | "EGP" = "USD") {
  const { orderId, url } = await learner.agent.trpc.payments.checkout.start.mutate({ packId: pack.id, currency });
  const page = new URL(url);
  const paid = await t.app.request(page.pathname, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: page.searchParams.get("token") ?? "", action: "pay" }).toString(),
  });
  expect(paid.status).toBe(303);
  return orderId;
}

/** A signed event from the local provider to our webhook route, as it would arrive. */
async function deliver(event: { id: string; type: string; data: Record<string, unknown> }) {
  const body = JSON.stringify(event);
  const response = await t.app.request("/webhooks/local", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "lectern-signature": signLocalWebhook(localPaymentsSecret(t.env), body),
    },
    body,
  });
  return response.status;
}

const order = async (id: string) => (await t.db.select().from(schema.orders).where(eq(schema.orders.id, id)))[0];
const refundRows = (orderId: string) =>
  t.db.select().from(schema.orderRefunds).where(eq(schema.orderRefunds.orderId, orderId));

/** Net platform revenue in a currency (entries of its platform_revenue account). */
async function revenue(currency: string) {
  const { rows } = await t.db.execute<{ n: string }>(sql`select coalesce(sum(amount), 0)::text as n from ledger_entries
    where account_id = ${systemAccountId("platform_revenue", currency)}::uuid`);
  return Number(rows[0]?.n ?? 0);
}

async function expectLedgerSound() {
  const l = await ledgerInvariants(t);
  expect(l.unbalanced).toEqual([]);
  expect(l.drift).toEqual([]);
  expect(l.negative).toEqual([]);
  // Credits leave through a refund into credit_refunded: every issued credit is still somewhere.
  expect(l.held + (l.credits.credit_refunded ?? 0)).toBe(l.issued);
}

/** Waits until the local provider's own refund webhook (sent right after it answers) has been applied. */
async function settledEvent(eventId: string) {
  for (let i = 0; i < 100; i++) {
    const [row] = await t.db
      .select({ status: schema.providerEvents.status })
      .from(schema.providerEvents)
      .where(eq(schema.providerEvents.eventId, eventId));
    if (row?.status === "processed") return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`event ${eventId} not applied`);
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

describe("refunding a credit pack", () => {
  it("an unused pack is refunded in full: credits removed at once, the job pays it back, revenue returns to zero", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    const before = await revenue("USD");
    const detail = await admin.agent.trpc.admin.orders.get.query({ orderId });
    expect(detail.refundable).toEqual({ amount: 4000, credits: 4, inFlight: false });

    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Changed their mind" });
    expect(refund).toMatchObject({ amount: 4000, creditsRemoved: 4, status: "requested", currency: "USD" });
    // The learner cannot spend them while the provider works.
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    const [job] = await jobsWithKeyPrefix(t, `refund:${refund.id}`);
    expect(job).toMatchObject({ task_identifier: SEND_REFUND_TASK, payload: { refundId: refund.id } });

    // The worker's task (with the worker's own registry) sends it; local answers succeeded at once.
    const tasks = createTaskList({
      db: t.db,
      env: t.env,
      email: createEmailProvider({ EMAIL_FROM: "x@y.z" }, t.logger),
      logger: t.logger,
    });
    await tasks[SEND_REFUND_TASK]?.({ refundId: refund.id }, {} as never);

    expect(await order(orderId)).toMatchObject({ status: "refunded", refundedAmount: 4000 });
    expect(await refundRows(orderId)).toMatchObject([
      { status: "succeeded", providerRefundRef: `re_local_${refund.id}`, settledAt: expect.any(Date) },
    ]);
    expect(await revenue("USD")).toBe(before - 4000);
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    await expectLedgerSound();

    const again = await trpcError(admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Again" }));
    expect(again).toMatchObject({ appCode: "NOTHING_TO_REFUND", status: 409 });
    const audit = await t.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.targetId, orderId))
      .orderBy(schema.auditLog.createdAt);
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["order.refund", admin.user.id],
      ["order.refund.settle", null],
    ]);
    expect(audit[0]?.after).toMatchObject({
      refundId: refund.id,
      amount: 4000,
      creditsRemoved: 4,
      reason: "Changed their mind",
    });
  });

  it("a half-used pack pays back the unused credits pro rata (rounded down) and keeps the booked ones", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await admin.agent.trpc.admin.packs.update.mutate({
      packId: pack.id,
      name: "Regular",
      sessions: 3,
      prices: { USD: 1000, EGP: 99_999 },
    });
    const orderId = await buy(learner);
    await admin.agent.trpc.admin.packs.update.mutate({
      packId: pack.id,
      name: "Regular",
      sessions: 4,
      prices: { USD: 4000, EGP: 99_999 },
    });
    await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(30) });
    expect(await creditBalance(t, learner.user.id)).toBe(2);

    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Moving abroad" });
    // 1000 × 2 ÷ 3 = 666.67 → 666
    expect(refund).toMatchObject({ amount: 666, creditsRemoved: 2 });
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    await sendRefund(t.db, providerOf, refund.id);
    await settledEvent(`evt_re_local_${refund.id}`);

    expect(await order(orderId)).toMatchObject({ status: "paid", refundedAmount: 666 });
    const detail = await admin.agent.trpc.admin.orders.get.query({ orderId });
    expect(detail.refundable).toEqual({ amount: 0, credits: 0, inFlight: false });
    expect(detail.refunds).toMatchObject([{ status: "succeeded", amount: 666, creditsRemoved: 2 }]);
    // The grant and sale share one transaction's timestamp: compare as a set.
    expect(detail.transactions.map((x) => x.kind).sort()).toEqual([
      "credit.grant",
      "credit.refund_purchase",
      "refund.platform",
      "sale.platform",
    ]);
    await expectLedgerSound();
  });

  it("the same refund event delivered twice (and the provider's answer after it) counts once", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    const before = await revenue("USD");
    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Duplicate purchase" });
    const event = {
      id: `evt_re_local_${refund.id}`,
      type: "refund.succeeded",
      data: { orderId, refundRef: `re_local_${refund.id}`, amount: 4000, currency: "USD" },
    };
    expect(await deliver(event)).toBe(200);
    expect(await deliver(event)).toBe(200);
    await sendRefund(t.db, providerOf, refund.id);
    await settledEvent(event.id);

    expect(await order(orderId)).toMatchObject({ status: "refunded", refundedAmount: 4000 });
    expect(await revenue("USD")).toBe(before - 4000);
    const postings = await t.db
      .select()
      .from(schema.ledgerTransactions)
      .where(
        and(
          eq(schema.ledgerTransactions.kind, "refund.platform"),
          eq(schema.ledgerTransactions.referenceId, refund.id),
        ),
      );
    expect(postings).toHaveLength(1);
    await expectLedgerSound();
  });

  it("a refund the provider fails puts the credits back; the order can be refunded again", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    const before = await revenue("USD");
    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Unhappy" });
    expect(await creditBalance(t, learner.user.id)).toBe(0);

    // What the provider's refund.failed webhook handler does, in the inbox's transaction; twice.
    const failed = { kind: "refund_failed" as const, orderId, refundRef: "re_x", reason: "card closed" };
    await t.db.transaction((tx) => applyRefundOutcome(tx, failed));
    await t.db.transaction((tx) => applyRefundOutcome(tx, failed));

    expect(await creditBalance(t, learner.user.id)).toBe(4);
    expect(await refundRows(orderId)).toMatchObject([{ status: "failed", failureReason: "card closed" }]);
    expect(await order(orderId)).toMatchObject({ status: "paid", refundedAmount: 0 });
    expect(await revenue("USD")).toBe(before);
    // A late success for a settled refund changes nothing.
    await sendRefund(t.db, providerOf, refund.id);
    expect(await order(orderId)).toMatchObject({ status: "paid", refundedAmount: 0 });
    await expectLedgerSound();

    const second = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Unhappy, again" });
    expect(second).toMatchObject({ amount: 4000, creditsRemoved: 4, status: "requested" });
  });

  it("a failed refund of a lot that expired meanwhile restores the credits into a fresh lot valid 14 days", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Unhappy" });
    const paid = await order(orderId);
    await t.db
      .update(schema.creditLots)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(schema.creditLots.id, paid?.creditLotId ?? ""));

    const failed = { kind: "refund_failed" as const, orderId, refundRef: "re_y", reason: "card closed" };
    await t.db.transaction((tx) => applyRefundOutcome(tx, failed));

    const lots = await t.db.select().from(schema.creditLots).where(eq(schema.creditLots.learnerId, learner.user.id));
    const fresh = lots.find((l) => l.id !== paid?.creditLotId);
    expect(fresh?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 14 * 24 * 3_600_000 - 60_000);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    await expectLedgerSound();
  });

  it("a flagged payment (paid amount differs) is refunded whole, with no credits and no revenue movement", async () => {
    const learner = await person(t, "learner");
    const { orderId } = await learner.agent.trpc.payments.checkout.start.mutate({ packId: pack.id, currency: "EGP" });
    expect(
      await deliver({
        id: `evt_${crypto.randomUUID()}`,
        type: "payment.succeeded",
        data: { orderId, paymentRef: `pay_local_${orderId}`, amount: 100, currency: "EGP" },
      }),
    ).toBe(200);
    expect((await order(orderId))?.flagReason).toBeTruthy();
    const before = await revenue("EGP");

    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Amount mismatch" });
    expect(refund).toMatchObject({ amount: 99_999, creditsRemoved: 0 });
    await sendRefund(t.db, providerOf, refund.id);
    await settledEvent(`evt_re_local_${refund.id}`);

    expect(await order(orderId)).toMatchObject({ status: "pending", refundedAmount: 99_999 });
    expect(await revenue("EGP")).toBe(before);
    expect(await creditBalance(t, learner.user.id)).toBe(0);
    const again = await trpcError(admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Again" }));
    expect(again.appCode).toBe("NOTHING_TO_REFUND");
    await expectLedgerSound();
  });

  it("refuses unpaid and unknown orders", async () => {
    const learner = await person(t, "learner");
    const { orderId } = await learner.agent.trpc.payments.checkout.start.mutate({ packId: pack.id, currency: "USD" });
    expect(await trpcError(admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "x" }))).toMatchObject({
      appCode: "ORDER_NOT_PAID",
      status: 409,
    });
    const unknown = crypto.randomUUID();
    expect(
      await trpcError(admin.agent.trpc.admin.orders.refund.mutate({ orderId: unknown, reason: "x" })),
    ).toMatchObject({ appCode: "ORDER_NOT_FOUND", status: 404 });
    expect(await trpcError(admin.agent.trpc.admin.orders.get.query({ orderId: unknown }))).toMatchObject({
      appCode: "ORDER_NOT_FOUND",
    });
    expect(await trpcError(admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: " " }))).toMatchObject({
      appCode: "VALIDATION_FAILED",
      status: 400,
    });
  });

  it("only admins see orders, refund them or read revenue: others are refused with no data and no change", async () => {
    const learner = await person(t, "learner");
    const teacher = await person(t, "teacher");
    const orderId = await buy(learner);
    const auditRows = async () => (await t.db.select().from(schema.auditLog)).length;
    const audit = await auditRows();
    const calls: [type: "query" | "mutation", path: string, input: unknown][] = [
      ["query", "admin.orders.list", {}],
      ["query", "admin.orders.get", { orderId }],
      ["mutation", "admin.orders.refund", { orderId, reason: "mine" }],
      ["query", "admin.orders.revenue", { from: new Date(), to: new Date() }],
    ];
    for (const [who, status, code] of [
      [t.agent(), 401, "UNAUTHENTICATED"],
      [learner.agent, 403, "ADMIN_ONLY"],
      [teacher.agent, 403, "ADMIN_ONLY"],
    ] as const)
      for (const [type, path, input] of calls) {
        const response = await rawTrpc(who, type, path, input);
        expect([path, response.status, response.appCode]).toEqual([path, status, code]);
        expect(response.body.result).toBeUndefined();
        expect(response.text).not.toContain(learner.email);
      }
    expect(await refundRows(orderId)).toEqual([]);
    expect(await creditBalance(t, learner.user.id)).toBe(4);
    expect(await auditRows()).toBe(audit);
  });

  it("a retry with the same Idempotency-Key replays the refund; another body with it is refused", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    const key = `refund-${crypto.randomUUID()}`;
    const first = await withKey(admin.agent, key).admin.orders.refund.mutate({ orderId, reason: "Asked by email" });
    const replay = await withKey(admin.agent, key).admin.orders.refund.mutate({ orderId, reason: "Asked by email" });
    expect(replay).toEqual(first);
    expect(await refundRows(orderId)).toHaveLength(1);
    const other = await trpcError(
      withKey(admin.agent, key).admin.orders.refund.mutate({ orderId, reason: "Another reason" }),
    );
    expect(other).toMatchObject({ appCode: "IDEMPOTENCY_KEY_REUSED", status: 422 });
    // Asked again without the key while it is in flight: the same refund is sent again, not a second one.
    const resent = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Still waiting" });
    expect(resent.id).toBe(first.id);
    expect(await refundRows(orderId)).toHaveLength(1);
    expect(await creditBalance(t, learner.user.id)).toBe(0);
  });
});

describe("the order_refunds table", () => {
  it("refuses refunds in flight or settled that together pass the order's amount", async () => {
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    const insert = (amount: number, status: "requested" | "succeeded" | "failed") =>
      t.db.insert(schema.orderRefunds).values({
        orderId,
        amount,
        reason: "direct",
        status,
        settledAt: status === "requested" ? null : new Date(),
      });
    await insert(3000, "succeeded");
    await insert(4000, "failed");
    await expect(insert(1001, "requested")).rejects.toMatchObject({
      cause: expect.objectContaining({ constraint: "order_refunds_within_amount" }),
    });
    await insert(1000, "requested");
    await expect(insert(1, "requested")).rejects.toThrow();
  });
});

describe("the console's orders and revenue", () => {
  it("finds orders by buyer, status and references", async () => {
    const learner = await person(t, "learner", { name: "Zainab Searchable" });
    const orderId = await buy(learner);
    const paid = await order(orderId);
    const list = (input: Parameters<typeof admin.agent.trpc.admin.orders.list.query>[0]) =>
      admin.agent.trpc.admin.orders.list.query(input).then((r) => r.items.map((o) => o.id));
    expect(await list({ query: "zainab search" })).toEqual([orderId]);
    expect(await list({ query: "Zainab Unknown" })).toEqual([]);
    expect(await list({ query: learner.email })).toEqual([orderId]);
    expect(await list({ query: paid?.providerRef ?? "" })).toEqual([orderId]);
    expect(await list({ query: paid?.paymentRef ?? "" })).toEqual([orderId]);
    expect(await list({ query: `LEC-${String(paid?.receiptNumber).padStart(6, "0")}` })).toEqual([orderId]);
    expect(await list({ query: learner.email, status: "pending" })).toEqual([]);
    expect(await list({ query: learner.email, status: "paid", provider: "local", currency: "USD" })).toEqual([orderId]);
    expect(await list({ query: learner.email, from: new Date(Date.now() + 60_000) })).toEqual([]);
    const detail = await admin.agent.trpc.admin.orders.get.query({ orderId });
    expect(detail.buyer).toMatchObject({ id: learner.user.id, email: learner.email });
    expect(detail.events.map((e) => [e.type, e.status])).toEqual([["payment.succeeded", "processed"]]);
  });

  it("reports platform revenue per currency and month, sales minus refunds", async () => {
    const now = new Date();
    const input = { from: now, to: now };
    const before = await admin.agent.trpc.admin.orders.revenue.query(input);
    const usdBefore = before.currencies.find((c) => c.currency === "USD")?.total ?? { earned: 0, refunded: 0, net: 0 };
    const learner = await person(t, "learner");
    const orderId = await buy(learner);
    const refund = await admin.agent.trpc.admin.orders.refund.mutate({ orderId, reason: "Test" });
    await sendRefund(t.db, providerOf, refund.id);
    await settledEvent(`evt_re_local_${refund.id}`);
    await buy(learner);

    const after = await admin.agent.trpc.admin.orders.revenue.query(input);
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(after.months).toEqual([month]);
    const usd = after.currencies.find((c) => c.currency === "USD");
    expect(usd?.total).toEqual({
      earned: usdBefore.earned + 8000,
      refunded: usdBefore.refunded + 4000,
      net: usdBefore.net + 4000,
    });
    expect(usd?.months).toEqual([{ month, ...usd?.total }]);
    expect(usd?.total.net).toBe(await revenue("USD"));
    const year = await admin.agent.trpc.admin.orders.revenue.query({
      from: new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1)),
      to: now,
    });
    expect(year.months).toHaveLength(13);
    expect(
      await trpcError(admin.agent.trpc.admin.orders.revenue.query({ from: new Date(Date.UTC(2020, 0, 1)), to: now })),
    ).toMatchObject({ appCode: "VALIDATION_FAILED" });
  });
});
