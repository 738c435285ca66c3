// Flows around the edges of the main journeys: where sign-in returns to, booking late, cancelling,
// addresses that lead nowhere, availability date changes, and validation errors from the API.
import { bookSession, openCreditLot, setWeeklyAvailability, teacherSlots } from "@lectern/api/services";
import { schema } from "@lectern/db";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo";
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const ALWAYS = Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 0, endMinute: 24 * 60 }));

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { name }).first().waitFor();
}

async function newContext() {
  const context = await world.browser.newContext();
  context.setDefaultTimeout(10_000);
  return context;
}

async function signIn(context: BrowserContext, email: string, path = "/sign-in") {
  const page = await context.newPage();
  await page.goto(`${world.webUrl}${path}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  return page;
}

const dayLabel = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en", { weekday: "long", day: "numeric", month: "long", timeZone }).format(instant);
const timeLabel = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(instant);

/** A free slot of the teacher between `fromHours` and `toHours` from now. */
async function slotBetween(learnerId: string, teacherId: string, fromHours: number, toHours: number) {
  const now = Date.now();
  const { slots } = await teacherSlots(world.api.db, learnerId, {
    teacherId,
    from: new Date(now + fromHours * HOUR_MS),
    to: new Date(now + toHours * HOUR_MS),
    durationMinutes: 60,
  });
  const slot = slots[0];
  if (!slot) throw new Error("the teacher has no free slot then");
  return slot;
}

describe("web flows in Chromium", () => {
  it("sign-in with ?next=/%09/evil.example stays on the app's own dashboard", async () => {
    const context = await newContext();
    const page = await signIn(context, "learner5@lectern.local", "/sign-in?next=/%09/evil.example");
    await heading(page, /^Welcome, /);
    const url = new URL(page.url());
    expect(url.origin).toBe(world.webUrl);
    expect(url.pathname).toBe("/");
    await context.close();
  });

  it("the profile page lists signed-in devices with this one marked; revoking a script's token signs it out at once", async () => {
    const email = "learner5@lectern.local";
    // A script signs in with no Origin and keeps the bearer token from set-auth-token.
    const scriptSignIn = await fetch(`${world.api.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "LecternScript/1.0" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(scriptSignIn.status, await scriptSignIn.clone().text()).toBe(200);
    const token = scriptSignIn.headers.get("set-auth-token");
    expect(token).toBeTruthy();
    const asScript = () =>
      fetch(`${world.api.url}/api/trpc/account.tokens.list`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asScript()).status).toBe(200);

    const context = await newContext();
    const page = await signIn(context, email);
    await heading(page, /^Welcome, /);
    await page.goto(`${world.webUrl}/profile`);
    const card = page.getByRole("region", { name: "Signed-in devices and tokens" });
    await card.getByText("LecternScript/1.0").waitFor();
    await card.getByText("This device").waitFor();
    // This browser's own session has no Revoke button: signing out is for that.
    const thisDevice = card.getByRole("listitem").filter({ hasText: "This device" });
    expect(await thisDevice.getByRole("button").count()).toBe(0);
    await card.getByRole("button", { name: "Revoke LecternScript/1.0" }).click();
    const dialog = page.getByRole("dialog", { name: "Sign this device out?" });
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await page.getByText("Signed out that device").waitFor();
    expect(await card.getByText("LecternScript/1.0").count()).toBe(0);
    expect((await asScript()).status).toBe(401);
    // The browser itself is still signed in.
    await page.reload();
    await card.getByText("This device").waitFor();
    await context.close();
  });

  it("booking a slot inside the free-change window warns that cancelling forfeits the credit, the session page says so; an API validation error shows beside its field", async () => {
    const db = world.api.db;
    const learner = await userByEmail("learner1@lectern.local");
    const teacher = await userByEmail("teacher2@lectern.local");
    await db.transaction((tx) => openCreditLot(tx, { learnerId: learner.id, sessions: 1, validityDays: 90 }));
    await setWeeklyAvailability(db, teacher.id, ALWAYS);
    // After the minimum notice (2 h) and well before the free-change deadline (12 h before start).
    const slot = await slotBetween(learner.id, teacher.id, 4, 9);

    const context = await newContext();
    const page = await signIn(context, learner.email);
    await heading(page, /^Welcome, /);
    await page.goto(`${world.webUrl}/teachers/${teacher.id}`);
    await heading(page, teacher.name);
    const day = page.getByRole("group", { name: dayLabel(slot, learner.timezone) });
    await day.getByRole("button", { name: timeLabel(slot, learner.timezone), exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog
      .getByText(/^This session starts in less than 12 hours: .*cancelling it forfeits the credit\.$/)
      .waitFor();
    await dialog.getByRole("button", { name: "Confirm booking" }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await page.getByText(/^Booked inside the free-change window: .*cancelling forfeits the credit\.$/).waitFor();
    expect(await page.getByText(/^Free changes ended at /).count()).toBe(0);

    // A validation error from the API appears beside its field, translated, with no JSON.
    await page.goto(`${world.webUrl}/profile`);
    await heading(page, "Profile");
    // What a client without the app's own checks would send: a name over the limit.
    await page.route("**/api/trpc/account.updateProfile**", async (route) => {
      // Mutations travel one per request (each with its Idempotency-Key), not in a batch.
      const body = route.request().postDataJSON();
      body.json.name = "x".repeat(101);
      await route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByLabel("Name").fill("Lena L.");
    await page.getByRole("button", { name: "Save profile" }).click();
    const name = page.getByLabel("Name");
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    await page.getByText("Too long or too large for this field").waitFor();
    expect(await page.locator("main").textContent()).not.toMatch(/[[{]\s*"/);
    await context.close();
  });

  it("after a cancel the page asks for no change preview (no 409), the session is listed under Cancelled only; unknown and malformed ids show not-found", async () => {
    const db = world.api.db;
    const learner = await userByEmail("learner3@lectern.local");
    const teacher = await userByEmail("teacher3@lectern.local");
    await db.transaction((tx) => openCreditLot(tx, { learnerId: learner.id, sessions: 1, validityDays: 90 }));
    await setWeeklyAvailability(db, teacher.id, ALWAYS);
    const startsAt = await slotBetween(learner.id, teacher.id, 48, 72);
    const booked = await bookSession(
      db,
      { id: learner.id, role: "learner" },
      { teacherId: teacher.id, startsAt, durationMinutes: 60 },
    );

    const context = await newContext();
    const page = await signIn(context, learner.email);
    await heading(page, /^Welcome, /);
    const refused: string[] = [];
    page.on("response", (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${world.webUrl}/sessions/${booked.id}`);
    await heading(page, `Session with ${teacher.name}`);
    await page.getByRole("button", { name: "Cancel session" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Your credit will be returned.").waitFor();
    await dialog.getByRole("button", { name: "Confirm cancellation" }).click();
    await page.getByText(/^You cancelled it on /).waitFor();
    // Anything the page would still ask for has had its chance to go out.
    await page.waitForLoadState("networkidle");
    expect(refused).toEqual([]);

    await page.goto(`${world.webUrl}/sessions`);
    await heading(page, "My sessions");
    expect(await page.getByRole("row", { name: new RegExp(teacher.name) }).count()).toBe(0);
    await page.getByRole("tab", { name: "Cancelled" }).click();
    await page.getByRole("row", { name: new RegExp(teacher.name) }).waitFor();
    await page.getByRole("tab", { name: "Past" }).click();
    await page.getByText("You have no past sessions yet.").waitFor();
    expect(refused).toEqual([]);

    // Addresses that lead nowhere: a malformed id and an unknown one.
    for (const id of ["not-a-uuid", crypto.randomUUID()]) {
      await page.goto(`${world.webUrl}/sessions/${id}`);
      await heading(page, "Page not found");
      await page.getByRole("link", { name: "Go to the dashboard" }).waitFor();
    }
    await context.close();
  });

  it("a teacher's extra hours start as a time range, a past date is refused with a clear message, and a session under way waits for its report at the top", async () => {
    const db = world.api.db;
    const teacher = await userByEmail("teacher1@lectern.local");
    const learner = await userByEmail("learner4@lectern.local");
    await setWeeklyAvailability(db, teacher.id, ALWAYS);
    // A 30-minute session that ends in about 3 minutes: still on the schedule, and its report is
    // already open (the policy opens it 5 minutes before the end). Off the booking grid, so it is
    // written directly: the world of this test, not the rule under test.
    const startsAt = new Date(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 27 * MINUTE_MS);
    await db.insert(schema.tutoringSessions).values({
      teacherId: teacher.id,
      learnerId: learner.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 30 * MINUTE_MS),
      durationMinutes: 30,
      hourlyRateMinor: 0,
      rateCurrency: "USD",
      creditOutcome: "none",
      credits: 0,
      createdBy: teacher.id,
    });

    const context = await newContext();
    const page = await signIn(context, teacher.email);
    await heading(page, /^Welcome, /);
    await page.goto(`${world.webUrl}/teaching`);
    await heading(page, "Teaching");
    const waiting = page.getByRole("region", { name: "Sessions waiting for your report" });
    const schedule = page.getByRole("region", { name: "Upcoming schedule" });
    await schedule.getByText("Report due").waitFor();
    await waiting.getByText(learner.name).waitFor();
    expect(await page.getByText("All your past sessions have a report.").count()).toBe(0);

    await page.goto(`${world.webUrl}/teaching/availability`);
    await heading(page, "Availability");
    await page.getByRole("radio", { name: "Extra hours" }).check();
    expect(await page.getByRole("checkbox", { name: "Whole day" }).isChecked()).toBe(false);
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(String(9 * 60));
    expect(await page.getByLabel("To", { exact: true }).inputValue()).toBe(String(17 * 60));

    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS).toLocaleDateString("en-CA", { timeZone: teacher.timezone });
    await page.getByLabel("Date", { exact: true }).fill(twoDaysAgo);
    await page.getByRole("button", { name: "Add extra hours" }).click();
    await page.getByText("That date has already passed. Choose today or a later date.").waitFor();
    const stored = await db.query.availabilityOverrides.findMany({ where: (o, { eq }) => eq(o.teacherId, teacher.id) });
    expect(stored).toEqual([]);
    await context.close();
  });
});
