// The production layout: the API serves both built apps from its own origin (SERVE_APPS), so the
// console (/admin/) and the web app (/) share one cookie host and the CSP the API sends.
import { seedDemoData } from "@lectern/api/seed";
import { startTestServer } from "@lectern/api/testing";
import { freePort } from "@lectern/db";
import { startTestPostgres } from "@lectern/db/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "./harness.ts";

let pg: Awaited<ReturnType<typeof startTestPostgres>>;
let api: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  pg = await startTestPostgres();
  const port = await freePort();
  origin = `http://localhost:${port}`;
  api = await startTestServer(pg, {
    API_PORT: String(port),
    API_URL: origin,
    WEB_URL: origin,
    ADMIN_URL: `${origin}/admin`,
    SERVE_APPS: "true",
  });
  await seedDemoData(api.db, api.auth);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await pg?.stop();
});

/** Console errors and CSP violations: the apps must run under the policy the API sends. */
function watchErrors(page: Page) {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

describe("both apps served by the API from one origin", () => {
  it("an admin signs in on /admin/, impersonates a learner into the web app and comes back", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const learner = await api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, "learner1@lectern.local") });
    if (!learner) throw new Error("no demo learner");

    await page.goto(`${origin}/admin`);
    await page.getByLabel("Email").fill("admin@lectern.local");
    await page.getByLabel("Password").fill("lectern-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${origin}/admin/users`);
    await page.goto(`${origin}/admin/users/${learner.id}`);
    await page.getByRole("heading", { name: learner.name }).first().waitFor();

    await page.getByRole("button", { name: "Impersonate" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    const banner = page.getByTestId("impersonation-banner");
    await banner.waitFor();
    expect(new URL(page.url()).pathname.startsWith("/admin")).toBe(false);
    expect(await banner.textContent()).toContain(learner.name);

    await banner.getByRole("button", { name: "Stop impersonating" }).click();
    await page.waitForURL(`${origin}/admin/users/${learner.id}`);
    await page.getByRole("heading", { name: learner.name }).first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
