// Withdrawals in Chromium: a teacher adds a payout method and withdraws with the code emailed to
// them (read from the outbox, as the console's Outbox shows it), in English and in Arabic; an admin
// approves a flagged withdrawal from the console's review queue and the worker pays it out.
import { seedDemoTutoring } from "@lectern/api/seed";
import { adjustUserWallet } from "@lectern/api/services";
import type { Locale } from "@lectern/api-contract";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoHorizontalOverflow, expectNoSeriousA11yViolations, MOBILE_VIEWPORT } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  await seedDemoTutoring(world.api.db);
  // Earnings to withdraw: an admin's adjustment, through the same service the console uses.
  const admin = await userByEmail("admin@lectern.local");
  for (const email of ["teacher1@lectern.local", "teacher2@lectern.local"]) {
    const teacher = await userByEmail(email);
    await adjustUserWallet(
      world.api.db,
      { id: admin.id, ip: null },
      { userId: teacher.id, currency: "USD", amount: 500_00, reason: "Earnings for the withdrawal journey" },
    );
  }
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo";

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

async function contextFor(browser: Browser, language: Locale) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  await context.addInitScript((lang) => localStorage.setItem("lectern.language", lang), language);
  return context;
}

async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  await page
    .locator(".mantine-Loader-root")
    .first()
    .waitFor({ state: "detached" })
    .catch(() => undefined);
}

async function signInWeb(page: Page, email: string) {
  await page.goto(`${world.webUrl}/sign-in`);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${world.webUrl}/`);
}

/** The code in the newest withdrawal email to that address (no SMTP here: the outbox keeps it readable). */
async function emailedCode(email: string) {
  const mail = await world.api.db.query.emailOutbox.findFirst({
    where: (e, { and, eq }) => and(eq(e.toAddress, email), eq(e.template, "withdrawal-code")),
    orderBy: (e, { desc }) => [desc(e.createdAt)],
  });
  const code = mail?.textBody.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no withdrawal code emailed to ${email}`);
  return code;
}

async function latestWithdrawal(userId: string) {
  const w = await world.api.db.query.withdrawals.findFirst({
    where: (w, { eq }) => eq(w.userId, userId),
    orderBy: (w, { desc }) => [desc(w.createdAt)],
  });
  if (!w) throw new Error("no withdrawal");
  return w;
}

const labels = {
  en: {
    methodsTitle: "Payout methods",
    addMethod: "Add method",
    localLabel: "Local test payouts",
    withdraw: "Withdraw",
    amount: "Amount",
    sendCode: "Send me a code",
    confirm: "Confirm withdrawal",
    history: "Withdrawals",
    paid: "Paid",
  },
  ar: {
    methodsTitle: "طرق استلام الأموال",
    addMethod: "إضافة الطريقة",
    localLabel: "Local test payouts",
    withdraw: "سحب",
    amount: "المبلغ",
    sendCode: "أرسل لي رمزًا",
    confirm: "تأكيد السحب",
    history: "عمليات السحب",
    paid: "مدفوع",
  },
} as const;

/**
 * Adds the local payout method, then withdraws `amount` dollars from the USD card with the emailed
 * code. `methodAdded` runs once the method is listed (to change the world, e.g. the method's age).
 */
async function withdrawThroughTheApp(
  page: Page,
  language: Locale,
  email: string,
  amount: string,
  methodAdded: () => Promise<unknown> = async () => undefined,
) {
  const l = labels[language];
  await page.goto(`${world.webUrl}/wallet/payout-methods`);
  await page.getByRole("heading", { name: l.methodsTitle }).waitFor();
  await settle(page);
  await expectNoSeriousA11yViolations(page, `payout methods (${language})`);
  await page.getByRole("button", { name: l.addMethod }).click();
  await page.getByRole("cell", { name: new RegExp(l.localLabel) }).waitFor();
  await methodAdded();

  await page.goto(`${world.webUrl}/wallet`);
  await settle(page);
  const usd = page.getByRole("region", { name: "USD" });
  await usd.getByRole("button", { name: l.withdraw, exact: true }).waitFor();
  await expectNoSeriousA11yViolations(page, `wallet with the withdraw entry (${language})`);
  await usd.getByRole("button", { name: l.withdraw, exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(l.amount).fill(amount);
  await dialog.getByRole("button", { name: l.sendCode }).click();
  // The code step: one box per digit, typed as a person would.
  const firstDigit = dialog.locator('input[autocomplete="one-time-code"]').first();
  await firstDigit.waitFor();
  await firstDigit.click();
  await page.keyboard.type(await emailedCode(email));
  await dialog.getByRole("button", { name: l.confirm }).click();
  return dialog;
}

describe("withdrawals in Chromium", () => {
  it("a teacher withdraws with the emailed code; the new method sends it to review; an admin approves it and it is paid", async () => {
    const teacher = await userByEmail("teacher1@lectern.local");
    const context = await contextFor(world.browser, "en");
    const page = await context.newPage();
    await signInWeb(page, teacher.email);
    const dialog = await withdrawThroughTheApp(page, "en", teacher.email, "25");
    await dialog.getByText(/is held while our team reviews the withdrawal/).waitFor();
    const flagged = await latestWithdrawal(teacher.id);
    expect(flagged).toMatchObject({ status: "in_review", amount: 25_00 });

    const consoleContext = await contextFor(world.browser, "en");
    const admin = await consoleContext.newPage();
    await admin.goto(world.adminUrl);
    await admin.getByLabel("Email").fill("admin@lectern.local");
    await admin.getByLabel("Password").fill(PASSWORD);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.getByRole("heading", { name: "Users" }).waitFor();
    await admin.getByRole("link", { name: "Withdrawal review", exact: true }).click();
    await admin.getByRole("heading", { name: "Withdrawal review" }).waitFor();
    // The pointer leaves the nav link it clicked (axe measures colours as painted, hover included).
    await admin.mouse.move(600, 600);
    await settle(admin);
    const row = admin.getByTestId("review-row").filter({ hasText: teacher.email });
    await row.getByText("Payout method added in the last 24 h").waitFor();
    await expectNoSeriousA11yViolations(admin, "withdrawal review");
    await row.getByRole("button", { name: "Approve" }).click();
    await admin.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await admin.getByText("Nothing waits for review.").waitFor();

    // The worker sends it through the local provider.
    await expect.poll(async () => (await latestWithdrawal(teacher.id)).status, { timeout: 15_000 }).toBe("paid");
    await admin.getByRole("link", { name: "Payouts", exact: true }).click();
    await admin.getByTestId("payout-row").filter({ hasText: teacher.email }).getByText("Paid").waitFor();
    // Fresh, without the approval's toast (its close button is the console's own, outside this page).
    await admin.reload();
    await admin.getByTestId("payout-row").first().waitFor();
    await settle(admin);
    await expectNoSeriousA11yViolations(admin, "payouts");
    await consoleContext.close();

    await page.goto(`${world.webUrl}/wallet/withdrawals`);
    await page.getByRole("heading", { name: "Withdrawals" }).waitFor();
    const latest = page.getByTestId("withdrawal-row").first();
    await latest.getByText("Paid").waitFor();
    await latest.getByRole("link").click();
    await page.getByRole("heading", { name: "Withdrawal", exact: true }).waitFor();
    await page.getByText("$25.00").waitFor();
    await settle(page);
    await expectNoSeriousA11yViolations(page, "withdrawal detail");
    await context.close();
  });

  it("an Arabic-speaking teacher withdraws on a phone, right to left, with a method older than a day", async () => {
    const teacher = await userByEmail("teacher2@lectern.local");
    const context = await contextFor(world.browser, "ar");
    const page = await context.newPage();
    await page.setViewportSize(MOBILE_VIEWPORT);
    await signInWeb(page, teacher.email);
    // A method added two days ago: no fraud rule fires, the withdrawal goes straight to payout.
    const ageMethods = () =>
      world.api.database.pool.query(
        "update payout_methods set created_at = now() - interval '2 days' where user_id = $1",
        [teacher.id],
      );
    const dialog = await withdrawThroughTheApp(page, "ar", teacher.email, "20", ageMethods);
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    await dialog.getByText(/في طريقه إلى حسابك/).waitFor();
    await expect.poll(async () => (await latestWithdrawal(teacher.id)).status, { timeout: 15_000 }).toBe("paid");

    await page.goto(`${world.webUrl}/wallet/withdrawals`);
    await page.getByRole("heading", { name: labels.ar.history }).waitFor();
    await page.getByTestId("withdrawal-row").first().getByText(labels.ar.paid).waitFor();
    await settle(page);
    await expectNoSeriousA11yViolations(page, "withdrawals (ar, phone)");
    await expectNoHorizontalOverflow(page, "withdrawals (ar, phone)");
    await context.close();
  });
});
