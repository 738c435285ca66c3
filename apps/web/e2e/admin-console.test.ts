// The admin console's main pages in Chromium: accessibility (axe-core) and page titles in English and
// Arabic, the admin's language saved to their profile, Arabic money and dates, the audit log by name,
// and the server's validation issues shown beside their fields.
import { seedDemoTutoring } from "@lectern/api/seed";
import { applyEvent, recordEvent, runLedgerHealthCheck } from "@lectern/api/services";
import { schema } from "@lectern/db";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
let page: Page;
const QUARTER_HOUR_MS = 15 * 60_000;
beforeAll(async () => {
  world = await startWorld();
  await seedDemoTutoring(world.api.db);
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

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

/** The console's main pages, by address. */
async function mainPages() {
  const learner = await userByEmail("learner1@lectern.local");
  const session = await world.api.db.query.tutoringSessions.findFirst({
    where: (s, { eq }) => eq(s.learnerId, learner.id),
  });
  if (!session) throw new Error("the demo learner has no session");
  return [
    "/users",
    `/users/${learner.id}`,
    "/sessions",
    `/sessions/${session.id}`,
    "/packs",
    "/teachers",
    "/payroll",
    "/reviews",
    "/disputes",
    "/audit",
    "/outbox",
    "/provider-events",
    "/health",
  ];
}

async function open(path: string) {
  await page.goto(`${world.adminUrl}${path}`);
  await page.waitForLoadState("networkidle");
  await page.locator("h1").first().waitFor();
  // Loaders give way to content: axe must see the page a person sees.
  await page
    .locator(".mantine-Loader-root")
    .first()
    .waitFor({ state: "detached" })
    .catch(() => undefined);
}

/** Each page is accessible and names itself in the tab after its heading; no two pages share a title. */
async function checkMainPages(language: string) {
  const titles = new Map<string, string>();
  const violations: string[] = [];
  for (const path of await mainPages()) {
    await open(path);
    // Every page's findings at once, not only the first page's.
    await expectNoSeriousA11yViolations(page, `${language} ${path}`).catch((error: Error) =>
      violations.push(error.message),
    );
    const heading = (await page.locator("h1").first().textContent())?.trim() ?? "";
    const title = await page.title();
    expect(title, path).toContain(heading);
    titles.set(path, title);
  }
  expect(violations.join("\n")).toBe("");
  expect(new Set(titles.values()).size, [...titles.values()].join(" | ")).toBe(titles.size);
}

/** What `account.me` answers for the page's own session. */
const myLocale = () =>
  page.evaluate(async () => {
    const response = await fetch("/api/trpc/account.me", { credentials: "include" });
    const body = (await response.json()) as { result: { data: { json: { locale: string } } } };
    return body.result.data.json.locale;
  });

describe("the admin console", () => {
  it("has no serious accessibility violations on its main pages in English, and a title for each", async () => {
    await checkMainPages("en");
  });

  it("lists provider events with their errors, and a replay of a type with no handler says so", async () => {
    const db = world.api.db;
    await recordEvent(db, "e2e-pay", { id: "evt_e2e_1", type: "charge.odd", payload: { amount: 100 } });
    const broken = { "charge.odd": async () => Promise.reject(new Error("card network timeout")) };
    expect(await applyEvent(db, "e2e-pay", "evt_e2e_1", broken)).toMatchObject({ status: "failed" });

    await open("/provider-events?status=failed");
    const row = page.getByRole("row", { name: /evt_e2e_1/ });
    await row.getByText("card network timeout").waitFor();
    await row.getByRole("button", { name: "Replay evt_e2e_1" }).click();
    await page.getByText("No handler is registered for this event type yet, so it cannot be replayed.").waitFor();
    const after = await db.query.providerEvents.findFirst({ where: (e, { eq }) => eq(e.eventId, "evt_e2e_1") });
    expect(after).toMatchObject({ status: "failed", attempts: 1 });

    // At phone width the table gives way to cards that fit the screen.
    const desktop = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await open("/provider-events?status=failed");
      await page.getByRole("button", { name: "Replay evt_e2e_1" }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      if (desktop) await page.setViewportSize(desktop);
    }
  });

  it("shows the ledger's health: the last drift check and each currency's totals", async () => {
    // The world's worker checks every quarter hour (cron): start with no check, away from a tick.
    const untilTick = QUARTER_HOUR_MS - (Date.now() % QUARTER_HOUR_MS);
    if (untilTick < 30_000) await new Promise((resolve) => setTimeout(resolve, untilTick + 2_000));
    await world.api.db.delete(schema.ledgerHealthChecks);
    await open("/health");
    await page.getByText("No check has run yet", { exact: false }).waitFor();
    const quiet = () => undefined;
    await runLedgerHealthCheck(world.api.db, { error: quiet, info: quiet });
    await open("/health");
    await page.getByText("Sound", { exact: true }).waitFor();
    await page.getByText("Accounts whose balance differs from their entries: 0").waitFor();
    // The demo's credits: issued, held by learners, and the whole currency summing to zero.
    const credits = page.locator(".mantine-Paper-root", {
      has: page.getByRole("heading", { name: "Session credits" }),
    });
    await credits.getByRole("row", { name: /Credits issued/ }).waitFor();
    expect(await credits.getByRole("row", { name: /Sums to zero/ }).textContent()).toContain("Yes");
  });

  it("offers a skip link to the main content and a visible focus ring on inputs", async () => {
    await open("/users");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to main content" });
    await expect.poll(() => skip.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await skip.isVisible()).toBe(true);
    await skip.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    const search = page.getByRole("searchbox").first();
    await search.focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const outline = await search.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe("none");
  });

  it("shows audit actions by their label and people by name, and filters by person", async () => {
    await open("/audit");
    const table = page.locator("table");
    await table.getByText("Session booked").first().waitFor();
    expect(await table.textContent()).not.toMatch(/tutoring\.session|teacher\.rate|credit\.grant/);

    await page.getByLabel("Action", { exact: true }).click();
    await page.getByRole("option", { name: "Teacher's rate set" }).click();
    await page.waitForURL((url) => url.searchParams.get("action") === "teacher.rate.set");
    await table.getByRole("link", { name: "Tom Teacher" }).first().waitFor();
    await table.getByRole("link", { name: "Amina Admin" }).first().waitFor();

    await page.getByLabel("About").fill("Tom");
    await page.getByRole("option", { name: /Tom Teacher/ }).click();
    const tom = await userByEmail("teacher1@lectern.local");
    await page.waitForURL((url) => url.searchParams.get("person") === tom.id);
    // Only Tom's rows (the rate set on him), once the answer for the new filter has replaced the last one.
    const rows = table.locator("tbody tr");
    await expect
      .poll(async () => (await rows.allInnerTexts()).map((text) => text.includes("Tom Teacher")))
      .toEqual([true]);
  });

  it("shows the server's validation issue beside its field, not as a dump in a notification", async () => {
    await open("/packs");
    await page.getByRole("button", { name: "New pack" }).click();
    await page.getByLabel("Name", { exact: false }).first().fill("Server-checked pack");
    await page.getByLabel("Sessions", { exact: false }).first().fill("4");
    await page.getByLabel("Price (USD)").fill("10");
    // A client whose own check let a bad price through (an older bundle, a script): the server still refuses.
    await page.route("**/api/trpc/admin.packs.create**", async (route) => {
      // Mutations travel one per request (each with its Idempotency-Key), not in a batch.
      const body = JSON.parse(route.request().postData() ?? "{}") as { json?: { prices: object } };
      if (body.json) body.json.prices = { USD: -100 };
      await route.continue({ postData: JSON.stringify(body) });
    });
    const answer = page.waitForResponse((r) => r.url().includes("admin.packs.create"));
    await page.getByRole("button", { name: "Save pack" }).click();
    expect((await answer).status()).toBe(400);
    const price = page.getByLabel("Price (USD)");
    await expect.poll(() => price.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await price.getAttribute("aria-describedby")) ?? "";
    const errorText = await page.evaluate(
      (ids) =>
        ids
          .split(" ")
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" "),
      describedBy,
    );
    expect(errorText).toMatch(/>=\s*0/);
    expect(await page.locator(".mantine-Notification-root").count()).toBe(0);
    await page.unroute("**/api/trpc/admin.packs.create**");
    await page.keyboard.press("Escape");
  });

  it("saves the language chosen in the console to the admin's profile", async () => {
    await open("/users");
    const saved = page.waitForResponse((r) => r.url().includes("account.updateProfile"));
    await page.getByLabel("Language").click();
    await page.getByRole("option", { name: "العربية" }).click();
    expect((await saved).ok()).toBe(true);
    expect(await myLocale()).toBe("ar");

    // Another browser (no choice kept locally) opens in the account's language too.
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator("h1").first().waitFor();
    // Arabic's messages load when it is first chosen: the switch follows the account a moment later.
    await page.waitForFunction(() => document.documentElement.lang === "ar");
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      "ar",
      "rtl",
    ]);
  });

  it("has no serious accessibility violations in Arabic, with distinct titles, and money that reads US$", async () => {
    expect(await myLocale()).toBe("ar");
    await checkMainPages("ar");

    // In right-to-left text an unisolated "US$" shows as "$US": the U must sit left of the $.
    for (const path of ["/packs", "/teachers"]) {
      await open(path);
      const order = await page.evaluate(() => {
        const found: boolean[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? "";
          const at = text.indexOf("US$");
          if (at < 0) continue;
          const box = (start: number) => {
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + 1);
            return range.getBoundingClientRect();
          };
          found.push(box(at).left < box(at + 2).left);
        }
        return found;
      });
      expect(order.length, path).toBeGreaterThan(0);
      expect(order.every(Boolean), path).toBe(true);
    }
  });

  it("shows the audit log's date picker in Arabic", async () => {
    await open("/audit");
    await page.getByLabel("الفترة").click();
    const calendar = page.locator(".mantine-DatePickerInput-dropdown, .mantine-Popover-dropdown").first();
    await calendar.waitFor();
    const text = await calendar.textContent();
    expect(text).toMatch(/[\u0600-\u06FF]/); // month and weekday names in Arabic script
    expect(text).not.toMatch(/January|February|March|April|May|June|July|August|September|October|November|December/);
  });
});
