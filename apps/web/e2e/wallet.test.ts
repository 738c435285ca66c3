// Wallets in Chromium: a teacher's Wallet page (balances, chart, history filters, CSV download) in
// English and Arabic, on desktop and phone widths; an admin's adjustment from the console.
import { readFile } from "node:fs/promises";
import { seedDemoTutoring } from "@lectern/api/seed";
import type { Locale } from "@lectern/api-contract";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoHorizontalOverflow, expectNoSeriousA11yViolations, MOBILE_VIEWPORT } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  // Demo teachers' reported sessions have posted their earnings into their wallets.
  await seedDemoTutoring(world.api.db);
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo";

async function contextFor(browser: Browser, language: Locale) {
  const context = await browser.newContext({ acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  await context.addInitScript((lang) => localStorage.setItem("lectern.language", lang), language);
  return context;
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { name }).first().waitFor();
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

describe("wallets in Chromium", () => {
  it("a teacher reads balances, the chart and the history, filters it and downloads it as CSV", async () => {
    const context = await contextFor(world.browser, "en");
    const page = await context.newPage();
    await signInWeb(page, "teacher1@lectern.local");
    await page.getByRole("navigation").getByRole("link", { name: "Wallet", exact: true }).click();
    await heading(page, "Wallet");
    // The pointer leaves the nav link it clicked (axe measures colours as painted, hover included).
    await page.mouse.move(600, 600);
    await settle(page);
    const usd = page.getByRole("region", { name: "USD" });
    await usd.getByText("Available", { exact: true }).waitFor();
    await heading(page, "Earnings per month");
    // The chart's numbers are there for screen readers as a table.
    await page.getByRole("table", { name: "Earnings per month (USD)" }).waitFor({ state: "attached" });
    await page
      .getByRole("cell", { name: /Session earnings/ })
      .first()
      .waitFor();
    await expectNoSeriousA11yViolations(page, "wallet (en)");

    await page.getByLabel("Type").selectOption({ label: "Adjustment" });
    await page.getByText("No movements match.").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page
      .getByRole("cell", { name: /Session earnings/ })
      .first()
      .waitFor();

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^lectern-wallet-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path()) ?? "", "utf8");
    const [header, first] = csv.split("\r\n");
    expect(header).toBe(
      "Date,Kind,Description,Wallet,Amount,Currency,Balance after,Reference type,Reference,Transaction",
    );
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z,earnings,.*,available,\d+\.\d{2},USD,/);

    await page.setViewportSize(MOBILE_VIEWPORT);
    await settle(page);
    await expectNoHorizontalOverflow(page, "wallet (en, phone)");
    await context.close();
  });

  it("an Arabic-speaking teacher reads the same page right to left, on a phone", async () => {
    const context = await contextFor(world.browser, "ar");
    const page = await context.newPage();
    await page.setViewportSize(MOBILE_VIEWPORT);
    await signInWeb(page, "teacher2@lectern.local");
    await page.goto(`${world.webUrl}/wallet`);
    await heading(page, "المحفظة");
    await settle(page);
    await page.getByText("المتاح", { exact: true }).first().waitFor();
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    await expectNoSeriousA11yViolations(page, "wallet (ar, phone)");
    await expectNoHorizontalOverflow(page, "wallet (ar, phone)");
    await context.close();
  });

  it("an admin finds a wallet, is stopped from over-debiting it beside the field, and credits it", async () => {
    const context = await contextFor(world.browser, "en");
    const page = await context.newPage();
    await page.goto(world.adminUrl);
    await page.getByLabel("Email").fill("admin@lectern.local");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, "Users");

    await page.getByRole("link", { name: "Wallets", exact: true }).click();
    await heading(page, "Wallets");
    await page.getByLabel("Search wallets").fill("Tom");
    // The search lands in the URL after a pause; clicking before it would be undone by it.
    await page.waitForURL(/[?&]q=Tom/);
    await page.getByRole("link", { name: "Tom Teacher" }).click();
    await heading(page, "Wallet of Tom Teacher");
    await settle(page);
    await expectNoSeriousA11yViolations(page, "console wallet");

    await page.getByRole("button", { name: "Adjust balance" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Debit", { exact: true }).click();
    await dialog.getByLabel("Amount").fill("100000");
    await dialog.getByLabel("Reason").fill("Too much");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.getByText(/^Only .* is available$/).waitFor();

    await dialog.getByText("Credit", { exact: true }).click();
    await dialog.getByLabel("Amount").fill("12.5");
    await dialog.getByLabel("Reason").fill("Goodwill for the outage");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await page.getByText(/\$12\.50 adjusted; available now/).waitFor();
    await page.getByText("Goodwill for the outage").waitFor();

    const audit = await world.api.db.query.auditLog.findFirst({ where: (a, { eq }) => eq(a.action, "wallet.adjust") });
    expect(audit?.after).toMatchObject({ currency: "USD", amountMinor: 1250, reason: "Goodwill for the outage" });
    await context.close();
  });
});
