// The admin console's outbox when email is really delivered (SMTP_URL set): a password reset shows
// as "link withheld", never with its link, in English and Arabic, and stays accessible.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
let page: Page;
beforeAll(async () => {
  // Nothing listens there: deliveries fail and retry, which leaves the outbox rows to look at.
  world = await startWorld({ SMTP_URL: "smtp://127.0.0.1:9" });
  const context = await world.browser.newContext();
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  await page.goto(world.adminUrl);
  await page.getByLabel("Email").fill("admin@lectern.local");
  await page.getByLabel("Password").fill("lectern-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
});
afterAll(() => world?.close());

async function openResetEmail() {
  await page.goto(`${world.adminUrl}/outbox?to=learner1%40lectern.local`);
  await page.waitForLoadState("networkidle");
  await page.locator("tbody tr").first().waitFor();
  await page.locator("tbody tr").first().click();
  // axe must see the drawer as it ends up, not half-faded in.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
  await page.waitForTimeout(300);
  return page.getByRole("dialog");
}

describe("the outbox with SMTP set", () => {
  it("shows a reset email as redacted, without its link, in English and in Arabic", async () => {
    const requested = await fetch(`${world.api.url}/api/auth/request-password-reset`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: world.webUrl },
      body: JSON.stringify({ email: "learner1@lectern.local" }),
    });
    expect(requested.status).toBe(200);

    const drawer = await openResetEmail();
    await drawer.getByText("This email carries a secret link or code").waitFor();
    expect(await drawer.textContent()).toContain("[link sent by email]");
    expect(await drawer.textContent()).not.toContain("token=");
    expect(await drawer.locator("a[href*='token=']").count()).toBe(0);
    await expectNoSeriousA11yViolations(page, "en /outbox drawer");
    await page.keyboard.press("Escape");
    await expect(page.locator("tbody").getByText("Link withheld").first().isVisible()).resolves.toBe(true);

    await page.getByLabel("Language").click();
    await page.getByRole("option", { name: "العربية" }).click();
    const arabic = await openResetEmail();
    await arabic.getByText("الرابط محجوب").first().waitFor();
    expect(await page.locator("tbody").textContent()).toContain("الرابط محجوب");
    await expectNoSeriousA11yViolations(page, "ar /outbox drawer");
  });
});
