// Accessibility (axe-core), phone-sized layout and Arabic formatting of the web app's main pages,
// for a learner and a teacher, in English and in Arabic. One world for the file, one browser
// context per language and role; the demo users' saved language picks the UI language.

import { seedDemoTutoring } from "@lectern/api/seed";
import type { Locale } from "@lectern/api-contract";
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoHorizontalOverflow, expectNoSeriousA11yViolations, MOBILE_VIEWPORT } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  // Seven sign-ins from one address within a minute: above the default per-IP limit of five.
  world = await startWorld({ SIGN_IN_RATE_LIMIT_MAX: "50" });
  await seedDemoTutoring(world.api.db);
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo";
// Seeded pairs (each learner has past and upcoming sessions with that teacher) and their language.
const CAST: Record<Locale, { learner: string; teacher: string }> = {
  en: { learner: "learner1@lectern.local", teacher: "teacher1@lectern.local" },
  ar: { learner: "learner2@lectern.local", teacher: "teacher2@lectern.local" },
};

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

async function upcomingSessionOf(learnerId: string) {
  const found = await world.api.db.query.tutoringSessions.findFirst({
    where: (s, { and, eq, gt }) => and(eq(s.learnerId, learnerId), eq(s.status, "booked"), gt(s.startsAt, new Date())),
  });
  if (!found) throw new Error("the demo learner has no upcoming session");
  return found;
}

/** A browser context whose UI starts in `language`, also before sign-in. */
async function contextFor(browser: Browser, language: Locale) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  await context.addInitScript((lang) => localStorage.setItem("lectern.language", lang), language);
  return context;
}

async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  await page.locator("h1").first().waitFor();
  // Loaders and skeletons give way to content; axe must see the page a person sees.
  await page
    .locator(".mantine-Loader-root")
    .first()
    .waitFor({ state: "detached" })
    .catch(() => undefined);
}

async function signIn(page: Page, email: string) {
  await page.goto(`${world.webUrl}/sign-in`);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(PASSWORD);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL(`${world.webUrl}/`);
  await settle(page);
}

async function visit(page: Page, path: string) {
  const failed: string[] = [];
  const record = (response: Response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  };
  page.on("response", record);
  try {
    await page.goto(`${world.webUrl}${path}`);
    await settle(page);
  } catch (error) {
    throw new Error(`${path} did not load (${failed.join(", ") || "no failed request"}): ${(error as Error).message}`);
  } finally {
    page.off("response", record);
  }
}

/** Opens the phone header's menu and checks it lists the navigation, then closes it. */
async function expectMobileMenu(page: Page, links: string[], label: string) {
  const burger = page.locator("header button.mantine-Burger-root");
  // Closed, the off-screen drawer is out of the tab order; opened, it is the navigation landmark.
  expect(await page.locator("nav").evaluate((el) => (el as HTMLElement).inert), `${label}: closed menu inert`).toBe(
    true,
  );
  await burger.click();
  const nav = page.getByRole("navigation");
  for (const href of links) {
    const link = nav.locator(`a[href="${href}"]`);
    await link.waitFor({ state: "visible" });
    // The drawer slides in: wait until the link has arrived within the screen.
    await expect
      .poll(
        async () => {
          const box = await link.boundingBox();
          return box !== null && box.x >= 0 && box.x + box.width <= MOBILE_VIEWPORT.width + 1;
        },
        { message: `${label}: ${href} on screen` },
      )
      .toBe(true);
  }
  await page.keyboard.press("Escape");
  await burger.click().catch(() => undefined);
}

describe("accessibility and phone layout in Chromium", () => {
  for (const language of ["en", "ar"] as const) {
    it(`in ${language}: the main pages of a learner and a teacher pass axe (no serious or critical violation), fit a 390px screen, and the phone menu shows the navigation`, async () => {
      const learner = await userByEmail(CAST[language].learner);
      const teacher = await userByEmail(CAST[language].teacher);
      const session = await upcomingSessionOf(learner.id);

      // Signed out: the sign-in page.
      const guest = await contextFor(world.browser, language);
      const signInPage = await guest.newPage();
      await visit(signInPage, "/sign-in");
      expect(await signInPage.getAttribute("html", "lang")).toBe(language);
      await expectNoSeriousA11yViolations(signInPage, `${language} sign-in`);
      await signInPage.setViewportSize(MOBILE_VIEWPORT);
      await expectNoHorizontalOverflow(signInPage, `${language} sign-in at 390px`);
      await guest.close();

      const roles = [
        {
          who: "learner",
          email: learner.email,
          pages: [
            "/",
            "/teachers",
            `/teachers/${session.teacherId}`,
            "/sessions",
            `/sessions/${session.id}`,
            "/credits",
            "/profile",
          ],
          menu: ["/", "/teachers", "/sessions", "/credits", "/profile"],
        },
        {
          who: "teacher",
          email: teacher.email,
          pages: [
            "/",
            "/sessions",
            `/sessions/${session.id}`,
            "/teaching/availability",
            "/teaching/earnings",
            "/profile",
          ],
          menu: ["/", "/teaching", "/teaching/availability", "/profile"],
        },
      ];
      for (const role of roles) {
        const context = await contextFor(world.browser, language);
        const page = await context.newPage();
        await signIn(page, role.email);
        for (const path of role.pages) {
          await visit(page, path);
          await expectNoSeriousA11yViolations(page, `${language} ${role.who} ${path}`);
        }
        await page.setViewportSize(MOBILE_VIEWPORT);
        for (const path of role.pages) {
          await visit(page, path);
          await expectNoHorizontalOverflow(page, `${language} ${role.who} ${path} at 390px`);
        }
        // The phone layout (cards, burger) gets its own axe pass on the list and the menu's page.
        await visit(page, "/sessions");
        await expectNoSeriousA11yViolations(page, `${language} ${role.who} /sessions at 390px`);
        await expectMobileMenu(page, role.menu, `${language} ${role.who}`);
        await context.close();
      }
    }, 240_000);
  }

  it("keyboard and screen readers: the skip link comes first and focuses the page, inputs show a focus ring, repeated controls are named with their context", async () => {
    const learner = await userByEmail(CAST.en.learner);
    const teacher = await userByEmail(CAST.en.teacher);

    const guest = await contextFor(world.browser, "en");
    const signInPage = await guest.newPage();
    await visit(signInPage, "/sign-in");
    const email = signInPage.getByLabel("Email");
    await email.focus();
    const ring = await email.evaluate((el) => {
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(ring.style).not.toBe("none");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await guest.close();

    const context = await contextFor(world.browser, "en");
    const page = await context.newPage();
    await signIn(page, learner.email);
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("MAIN");

    // Every row's "Join" says which session it joins.
    await visit(page, "/sessions");
    await page
      .getByRole("button", { name: /^Join the session on / })
      .first()
      .waitFor();

    // A dialog's close icon has a name, and the open dialog passes axe too.
    await visit(page, `/sessions/${(await upcomingSessionOf(learner.id)).id}`);
    await page.getByRole("button", { name: "Cancel session" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Close", exact: true }).waitFor();
    await expectNoSeriousA11yViolations(page, "en learner cancel dialog");
    await page.keyboard.press("Escape");

    // Each teacher's "Book" says whom it books; the teacher's page names them in their own direction.
    await visit(page, "/teachers");
    await page.getByRole("link", { name: `Book a session with ${teacher.name}` }).waitFor();
    await page.getByRole("link", { name: `Book a session with ${teacher.name}` }).click();
    const name = page.getByRole("heading", { level: 1, name: teacher.name });
    await name.waitFor();
    expect(await name.getAttribute("dir")).toBe("auto");
    await context.close();

    const teaching = await contextFor(world.browser, "en");
    const teacherPage = await teaching.newPage();
    await signIn(teacherPage, teacher.email);
    await visit(teacherPage, "/teaching/availability");
    await teacherPage.getByRole("button", { name: "Add hours on Monday", exact: true }).waitFor();
    await teacherPage.getByRole("button", { name: "Add hours on Sunday", exact: true }).waitFor();
    await teaching.close();
  }, 90_000);

  it("shows Arabic money as the viewer's Intl format, with the currency symbol kept whole (no '$US')", async () => {
    const context = await contextFor(world.browser, "ar");
    const page = await context.newPage();
    await signIn(page, CAST.ar.learner);
    await visit(page, "/credits");
    // The Starter pack costs 99.00 USD.
    const expected = new Intl.NumberFormat("ar", { style: "currency", currency: "USD" }).format(99);
    const price = page
      .getByText(/US\$/)
      .filter({ hasText: /99[.٫]00/ })
      .first();
    await price.waitFor();
    const text = (await price.textContent()) ?? "";
    expect(text.replace(/[\u2066-\u2069]/g, "")).toBe(expected);
    expect(text).not.toContain("$US");
    // What a person sees, left to right on screen: "US$" in that order, and apart from the number.
    const onScreen = await price.evaluate((el) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      const glyphs: { char: string; x: number }[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const value = node.nodeValue ?? "";
        for (let i = 0; i < value.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const rect = range.getBoundingClientRect();
          if (rect.width > 0 && /[US$0-9٠-٩]/.test(value[i] ?? "")) glyphs.push({ char: value[i] ?? "", x: rect.left });
        }
      }
      return glyphs
        .sort((a, b) => a.x - b.x)
        .map((g) => g.char)
        .join("");
    });
    expect(onScreen.startsWith("US$")).toBe(true);
    await context.close();
  }, 60_000);
});
