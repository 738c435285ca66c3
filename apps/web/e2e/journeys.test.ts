import { tokenFromEmail } from "@lectern/api/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.close());

const learner = { name: "Nadia Learner", email: "nadia.e2e@example.com", password: "a-long-password-1" };

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { name }).first().waitFor();
}

describe("main journeys in Chromium", () => {
  it("a learner signs up, verifies by the emailed link, signs out and signs in on the web app", async () => {
    const context = await world.browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();

    await page.goto(`${world.webUrl}/sign-up`);
    await page.getByLabel("Name").fill(learner.name);
    await page.getByLabel("Email").fill(learner.email);
    await page.getByLabel("Password", { exact: true }).fill(learner.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await heading(page, "Check your email");
    await page.getByText(learner.email).first().waitFor();

    // The link a person would click in their inbox (the outbox is the local inbox).
    const token = await tokenFromEmail(world.api.db, learner.email, "verify-email");
    await page.goto(`${world.webUrl}/verify-email?token=${encodeURIComponent(token)}`);
    await heading(page, `Welcome, ${learner.name}`);

    await page.getByRole("button", { name: "Sign out" }).first().click();
    await heading(page, "Sign in");
    await page.getByLabel("Email").fill(learner.email);
    await page.getByLabel("Password", { exact: true }).fill(learner.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, `Welcome, ${learner.name}`);
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });

  it("an admin finds that learner, makes them a teacher, impersonates them and stops", async () => {
    const context = await world.browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();

    await page.goto(world.adminUrl);
    await page.getByLabel("Email").fill("admin@lectern.local");
    await page.getByLabel("Password").fill("lectern-demo");
    await page.getByRole("button", { name: "Sign in" }).click();

    await page.getByLabel("Search users").fill("nadia.e2e");
    // As a person would: the filtered list first (the search reaches the URL once typing pauses), then the click.
    await page.waitForURL(/[?&]q=nadia\.e2e/);
    await page.getByRole("link", { name: learner.name }).click();
    await heading(page, learner.name);

    await page.getByLabel("Role", { exact: true }).click();
    await page.getByRole("option", { name: "Teacher" }).click();
    await page.getByRole("button", { name: "Save role" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => roleOf(learner.email)).toBe("teacher");

    await page.getByRole("button", { name: "Impersonate" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();

    // The browser lands in the web app as the learner, with the banner naming the admin.
    const banner = page.getByTestId("impersonation-banner");
    await banner.waitFor();
    expect(page.url().startsWith(world.webUrl)).toBe(true);
    expect(await banner.textContent()).toContain(learner.name);
    expect(await banner.textContent()).toContain("Amina Admin");
    await page.getByRole("link", { name: "Teaching" }).first().waitFor(); // now a teacher

    await banner.getByRole("button", { name: "Stop impersonating" }).click();
    await page.waitForURL(`${world.adminUrl}/users/**`);
    await heading(page, learner.name);
    // Only an admin session can read that page: the admin is back as themselves. Both ends audited.
    const audited = await world.api.db.query.auditLog.findMany({
      where: (a, { like }) => like(a.action, "user.impersonate.%"),
    });
    expect(audited.map((a) => a.action).sort()).toEqual(["user.impersonate.start", "user.impersonate.stop"]);
    await context.close();
  });
});

async function roleOf(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  return found?.role;
}
