// An admin refunds a learner's paid order from the console, in English and in Arabic: the order is
// bought through the API's local checkout (start, then the checkout page's Pay), found in the Orders
// list, and refunded from its page after the refund dialog shows what will be paid back; the worker
// sends the refund to the (local) provider and the page shows it settled. The Packs page takes EGP prices.
import { seedDemoTutoring } from "@lectern/api/seed";
import { creditBalance } from "@lectern/api/services";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await seedDemoTutoring(world.api.db);
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo-refund";

const COPY = {
  en: {
    orders: "Orders",
    search: "Search",
    refund: "Refund…",
    dialogText: /\$99\.00 goes back to Refundee en and 4 unused credits leave their balance/,
    reason: "Reason (recorded in the audit log)",
    confirm: "Refund $99.00",
    refunds: "Refunds",
    refunded: "Refunded",
    revenue: "Platform revenue",
  },
  ar: {
    orders: "الطلبات",
    search: "بحث",
    refund: "استرداد…",
    dialogText: /إلى Refundee ar ويُزال 4 رصيد غير مستخدم/,
    reason: "السبب (يُسجَّل في سجل التدقيق)",
    confirm: /^استرداد /,
    refunds: "عمليات الاسترداد",
    refunded: "تم الاسترداد",
    revenue: "إيرادات المنصة",
  },
} as const;

/** A learner who paid for the Starter pack (4 credits, US$99) through the local checkout, over HTTP. */
async function paidOrder(locale: "en" | "ar") {
  const email = `refundee-${locale}-${Date.now()}@example.com`;
  await world.api.auth.api.signUpEmail({ body: { name: `Refundee ${locale}`, email, password: PASSWORD } });
  await world.api.database.pool.query("update users set email_verified = true where email = $1", [email]);
  const learner = world.api.agent({ origin: world.webUrl });
  const signedIn = await learner.authPost("/sign-in/email", { email, password: PASSWORD });
  expect(signedIn.status).toBe(200);
  const pack = await world.api.db.query.creditPacks.findFirst({ where: (p, { eq }) => eq(p.name, "Starter") });
  if (!pack) throw new Error("no Starter pack");
  const { orderId, url } = await learner.trpc.payments.checkout.start.mutate({ packId: pack.id, currency: "USD" });
  const page = new URL(url);
  const paid = await learner.fetch(page.pathname, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: page.searchParams.get("token") ?? "", action: "pay" }).toString(),
  });
  expect(paid.status).toBe(303);
  const order = await world.api.db.query.orders.findFirst({ where: (o, { eq }) => eq(o.id, orderId) });
  expect(order).toMatchObject({ status: "paid", amount: 9_900, credits: 4 });
  return { orderId, email, buyerId: order?.buyerId ?? "" };
}

/** The console follows the admin's saved language: set it, then sign in and wait for the first page. */
async function signIn(locale: "en" | "ar"): Promise<Page> {
  await world.api.database.pool.query("update users set locale = $1 where email = 'admin@lectern.local'", [locale]);
  const context = await world.browser.newContext();
  context.setDefaultTimeout(20_000);
  await context.addInitScript((lang) => localStorage.setItem("lectern.admin.language", lang), locale);
  const page = await context.newPage();
  await page.goto(world.adminUrl);
  const en = locale === "en";
  await page.getByLabel(en ? "Email" : "البريد الإلكتروني").fill("admin@lectern.local");
  await page.getByLabel(en ? "Password" : "كلمة المرور").fill("lectern-demo");
  await page.getByRole("button", { name: en ? "Sign in" : "تسجيل الدخول" }).click();
  await page.getByRole("heading", { name: locale === "en" ? "Users" : "المستخدمون", level: 1 }).waitFor();
  return page;
}

describe("refunds in the console", () => {
  for (const locale of ["en", "ar"] as const) {
    it(`an admin finds a paid order and refunds its unused credits (${locale})`, async () => {
      const copy = COPY[locale];
      const { orderId, email, buyerId } = await paidOrder(locale);
      const page = await signIn(locale);
      expect(await page.locator("html").getAttribute("dir")).toBe(locale === "ar" ? "rtl" : "ltr");

      await page.getByRole("link", { name: copy.orders, exact: true }).click();
      await page.getByRole("heading", { name: copy.orders, level: 1 }).waitFor();
      await page.getByLabel(copy.search).fill(email);
      // The filter lands in the address, so the list can be linked and reloaded.
      await page.waitForURL(/[?&]q=/);
      await page.getByRole("link", { name: new RegExp(`Refundee ${locale}`) }).click();
      await page.waitForURL(new RegExp(`/orders/${orderId}$`));
      await expectNoSeriousA11yViolations(page, `${locale} order detail`);

      await page.getByRole("button", { name: copy.refund }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByText(copy.dialogText).waitFor();
      await dialog.getByLabel(copy.reason).fill(locale === "en" ? "Bought the wrong pack" : "اشترى الباقة الخطأ");
      await dialog.getByRole("button", { name: copy.confirm }).click();

      // The worker sends it to the provider; the page follows it until it settles.
      const refunds = page.locator(".mantine-Card-root", { has: page.getByRole("heading", { name: copy.refunds }) });
      await refunds.getByText(copy.refunded, { exact: true }).waitFor({ timeout: 30_000 });
      const order = await world.api.db.query.orders.findFirst({ where: (o, { eq }) => eq(o.id, orderId) });
      expect(order).toMatchObject({ status: "refunded", refundedAmount: 9_900 });
      expect((await creditBalance(world.api.db, buyerId)).totalAvailable).toBe(0);
      const audit = await world.api.db.query.auditLog.findFirst({
        where: (a, { and, eq }) => and(eq(a.action, "order.refund"), eq(a.targetId, orderId)),
      });
      expect(audit).toBeDefined();

      await page.goto(`${world.adminUrl}/revenue`);
      await page.getByRole("heading", { name: copy.revenue }).waitFor();
      await page.locator("svg[role=img]").first().waitFor();
      await expectNoSeriousA11yViolations(page, `${locale} revenue`);

      // Phone width: the list gives way to cards.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${world.adminUrl}/orders?q=${encodeURIComponent(email)}`);
      await page
        .getByRole("link", { name: new RegExp(`Refundee ${locale}|Starter`) })
        .first()
        .waitFor();
      await page.context().close();
    });
  }

  it("the Packs page sets a pack's EGP price", async () => {
    const page = await signIn("en");
    await page.goto(`${world.adminUrl}/packs`);
    await page.getByRole("button", { name: "Edit: Starter" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Price (EGP)").fill("4999.50");
    await dialog.getByRole("button", { name: "Save pack" }).click();
    await page.getByText("The pack Starter was saved.").waitFor();
    const pack = await world.api.db.query.creditPacks.findFirst({ where: (p, { eq }) => eq(p.name, "Starter") });
    expect(pack?.prices).toMatchObject({ EGP: 499_950, USD: 9_900 });
    await page.context().close();
  });
});
