// The calendar feed's address is a secret the server keeps only hashed: the card shows it once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.close());

describe("calendar feed card", () => {
  it("shows the address once, right after it is made; afterwards offers a new one instead", async () => {
    const context = await world.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${world.webUrl}/sign-in`);
    await page.getByLabel("Email").fill("learner1@lectern.local");
    await page.getByLabel("Password", { exact: true }).fill("lectern-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("heading", { name: /^Welcome, / })
      .first()
      .waitFor();

    await page.goto(`${world.webUrl}/profile`);
    await page.getByRole("button", { name: "Create my calendar address" }).click();
    const address = page.getByLabel("Your private calendar address");
    const url = await address.inputValue();
    expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await fetch(`${world.api.url}${new URL(url).pathname}`);
    expect(feed.status).toBe(200);

    // Back on the page later, the address cannot be shown again: only a way to get a new one.
    await page.reload();
    await page.getByRole("button", { name: "Get a new address" }).waitFor();
    expect(await page.getByLabel("Your private calendar address").count()).toBe(0);
    expect(await page.content()).not.toContain(new URL(url).pathname);

    await page.getByRole("button", { name: "Get a new address" }).click();
    await page.getByRole("button", { name: "Replace link" }).click();
    const replaced = await page.getByLabel("Your private calendar address").inputValue();
    expect(replaced).not.toBe(url);
    expect((await fetch(`${world.api.url}${new URL(url).pathname}`)).status).toBe(404);
    await context.close();
  });
});
