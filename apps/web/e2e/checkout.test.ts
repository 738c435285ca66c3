// Buying credits through the local checkout, then spending them on a session, in English and in
// Arabic. The world is set up through the API's own services; the journey goes through the UI,
// the API's local checkout page and its signed webhook to the API itself.
import { seedDemoTutoring } from "@lectern/api/seed";
import { creditBalance, setWeeklyAvailability, teacherSlots } from "@lectern/api/services";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await seedDemoTutoring(world.api.db);
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo-buyer";
const DAY_MS = 24 * 60 * 60_000;
const ALWAYS = Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 0, endMinute: 24 * 60 }));

const COPY = {
  en: {
    buyTitle: "Buy credits",
    buyStarter: "Buy Starter",
    pay: "Pay",
    paid: "Payment received",
    book: "Find a teacher",
    confirm: "Confirm booking",
    receipt: "View receipt",
    download: "Download receipt",
  },
  ar: {
    buyTitle: "شراء رصيد",
    // The app isolates a name inside Arabic text (FSI … PDI) so a Latin name keeps its direction.
    buyStarter: "شراء \u2068Starter\u2069",
    pay: "ادفع",
    paid: "تم استلام الدفع",
    book: "ابحث عن معلّم",
    confirm: "تأكيد الحجز",
    receipt: "عرض الإيصال",
    download: "تنزيل الإيصال",
  },
} as const;

/** A learner with no credits at all, signed up through better-auth, in the given language. */
async function newLearner(locale: "en" | "ar") {
  const email = `buyer-${locale}-${Date.now()}@example.com`;
  await world.api.auth.api.signUpEmail({ body: { name: `Buyer ${locale}`, email, password: PASSWORD } });
  // Verified at once: email verification has its own journeys.
  await world.api.database.pool.query("update users set email_verified = true, locale = $1 where email = $2", [
    locale,
    email,
  ]);
  const user = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!user) throw new Error("no buyer");
  return user;
}

async function teacher() {
  const found = await world.api.db.query.users.findFirst({
    where: (u, { eq }) => eq(u.email, "teacher1@lectern.local"),
  });
  if (!found) throw new Error("no demo teacher");
  await setWeeklyAvailability(world.api.db, found.id, ALWAYS);
  return found;
}

async function signIn(page: Page, email: string) {
  await page.goto(`${world.webUrl}/sign-in`);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${world.webUrl}/`);
}

describe("buying credits in Chromium", () => {
  for (const locale of ["en", "ar"] as const) {
    it(`a learner buys a pack through the local checkout and books a session with it (${locale})`, async () => {
      const copy = COPY[locale];
      const db = world.api.db;
      const learner = await newLearner(locale);
      const coach = await teacher();
      const context = await world.browser.newContext();
      context.setDefaultTimeout(15_000);
      await context.addInitScript((lang) => localStorage.setItem("lectern.language", lang), locale);
      const page = await context.newPage();
      await signIn(page, learner.email);

      await page.goto(`${world.webUrl}/credits`);
      await page.getByRole("link", { name: copy.buyTitle }).click();
      await page.getByRole("heading", { name: copy.buyTitle }).waitFor();
      // An Arabic reader is offered Egyptian pounds first; an English one pays in dollars.
      const currency = page.getByLabel(locale === "en" ? "Currency" : "العملة");
      expect(await currency.inputValue()).toBe(locale === "en" ? "USD" : "EGP");
      await page.getByRole("button", { name: copy.buyStarter }).click();

      // The API's own checkout page, in the buyer's language.
      await page.waitForURL(new RegExp(`^${world.api.url}/pay/local/[0-9a-f-]{36}\\?token=`));
      expect(await page.locator("html").getAttribute("dir")).toBe(locale === "ar" ? "rtl" : "ltr");
      await page.getByRole("button", { name: copy.pay, exact: true }).click();

      await page.waitForURL(new RegExp(`^${world.webUrl}/checkout/return\\?orderId=`));
      await page.getByText(copy.paid).waitFor();
      const orderId = new URL(page.url()).searchParams.get("orderId") ?? "";
      const order = await db.query.orders.findFirst({ where: (o, { eq }) => eq(o.id, orderId) });
      expect(order).toMatchObject({
        buyerId: learner.id,
        status: "paid",
        ...(locale === "en" ? { amount: 9_900, currency: "USD" } : { amount: 490_000, currency: "EGP" }),
        credits: 4,
      });
      expect((await creditBalance(db, learner.id)).totalAvailable).toBe(4);
      const receiptEmail = await db.query.emailOutbox.findFirst({
        where: (e, { and, eq }) => and(eq(e.toAddress, learner.email), eq(e.template, "payment-receipt")),
      });
      expect(receiptEmail).toBeDefined();

      await page.getByRole("link", { name: copy.receipt }).click();
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: copy.download }).click();
      expect((await download).suggestedFilename()).toMatch(/^receipt-LEC-\d{6,}\.html$/);

      // Spend one of the bought credits on a session with the teacher.
      const now = Date.now();
      const { slots } = await teacherSlots(db, learner.id, {
        teacherId: coach.id,
        from: new Date(now + DAY_MS),
        to: new Date(now + 2 * DAY_MS),
        durationMinutes: 60,
      });
      const slot = slots[0];
      if (!slot) throw new Error("the teacher has no free slot tomorrow");
      await page.goto(`${world.webUrl}/teachers/${coach.id}`);
      const day = new Intl.DateTimeFormat(locale, {
        weekday: "long",
        day: "numeric",
        month: "long",
        timeZone: learner.timezone,
      }).format(slot);
      const time = new Intl.DateTimeFormat(locale, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: learner.timezone,
      }).format(slot);
      await page.getByRole("group", { name: day }).getByRole("button", { name: time, exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: copy.confirm }).click();
      await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
      const session = await db.query.tutoringSessions.findFirst({ where: (s, { eq }) => eq(s.learnerId, learner.id) });
      expect(session?.creditLotId).toBe(order?.creditLotId);
      expect((await creditBalance(db, learner.id)).totalAvailable).toBe(3);
      await context.close();
    });
  }
});
