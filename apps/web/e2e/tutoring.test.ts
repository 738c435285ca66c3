// The world is set up through the API's own services, not through the UI under test.
import {
  bookSession,
  creditBalance,
  openCreditLot,
  setWeeklyAvailability,
  teacherSlots,
  updateTeacherProfile,
} from "@lectern/api/services";
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
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Every hour of every day, in the teacher's zone. */
const ALWAYS = Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 0, endMinute: 24 * 60 }));

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { name }).first().waitFor();
}

async function signIn(context: BrowserContext, email: string) {
  const page = await context.newPage();
  await page.goto(`${world.webUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(page, /^Welcome, /);
  return page;
}

// The labels the app gives days and slot times, in English and the viewer's time zone.
const dayLabel = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en", { weekday: "long", day: "numeric", month: "long", timeZone }).format(instant);
const timeLabel = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(instant);
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const weekdayName = (instant: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en", { weekday: "long", timeZone }).format(instant);

describe("tutoring journeys in Chromium", () => {
  it("a learner answers the onboarding questions, finds a teacher, books, sees the session, cancels in time and gets the credit back", async () => {
    const db = world.api.db;
    const learner = await userByEmail("learner3@lectern.local"); // Grace Mensah
    const teacher = await userByEmail("teacher3@lectern.local"); // Chidi Okafor
    await db.transaction((tx) => openCreditLot(tx, { learnerId: learner.id, sessions: 2, validityDays: 90 }));
    await setWeeklyAvailability(db, teacher.id, ALWAYS);
    await updateTeacherProfile(db, teacher.id, {
      bio: "Business English coach.",
      subjects: ["Business English"],
      languages: ["English", "Igbo"],
      defaultMeetingUrl: "https://meet.example.com/chidi",
    });
    // A slot the API offers, at least a day ahead: cancelling it stays free (the policy's 12 hours).
    const now = Date.now();
    const { slots } = await teacherSlots(db, learner.id, {
      teacherId: teacher.id,
      from: new Date(now + DAY_MS),
      to: new Date(now + 2 * DAY_MS),
      durationMinutes: 60,
    });
    const slot = slots[0];
    if (!slot) throw new Error("the teacher has no free slot tomorrow");

    const context = await world.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await signIn(context, learner.email);

    await page.goto(`${world.webUrl}/onboarding`);
    await page.getByLabel("Goals").fill("Speak confidently in meetings.");
    await page.getByLabel("Level").selectOption("B1");
    await page.getByLabel("Availability").fill("Weekday mornings");
    await page.getByLabel("Preferred format").selectOption("conversation");
    await page.getByRole("button", { name: "Save answers" }).click();
    await page.getByText(/your answers are saved/i).waitFor();

    await page.getByRole("link", { name: "Find a teacher", exact: true }).first().click();
    await heading(page, "Find a teacher");
    await page.getByLabel("Search", { exact: true }).fill("Chidi");
    await page.getByLabel("Subject").fill("business english");
    const card = page.getByRole("article", { name: teacher.name });
    await card.getByText("Next free time:").waitFor();
    await card.getByRole("link", { name: "Book" }).click();
    await heading(page, teacher.name);

    expect(await page.getByLabel("Session length").inputValue()).toBe("60");
    const day = page.getByRole("group", { name: dayLabel(slot, learner.timezone) });
    const dialog = page.getByRole("dialog");
    // A credit pays for up to 60 minutes: the dialog prices a 90-minute session at 2 before confirming.
    await page.getByLabel("Session length").selectOption("90");
    await day.getByRole("button", { name: timeLabel(slot, learner.timezone), exact: true }).click();
    await dialog.getByText("This session costs 2 credits (you have 2).").waitFor();
    await dialog.getByRole("button", { name: "Back" }).click();
    await page.getByLabel("Session length").selectOption("60");
    await day.getByRole("button", { name: timeLabel(slot, learner.timezone), exact: true }).click();
    await dialog.getByText("This session costs 1 credit (you have 2).").waitFor();
    // Booking moves a credit: the app sends it alone with an Idempotency-Key. The first answer is lost
    // on the way back (the API did book); the app retries with the same key and gets that booking again.
    const bookingKeys: string[] = [];
    await page.route("**/api/trpc/tutoring.sessions.book**", async (route) => {
      bookingKeys.push(route.request().headers()["idempotency-key"] ?? "");
      if (bookingKeys.length > 1) return route.continue();
      await route.fetch();
      await route.abort("connectionreset");
    });
    await dialog.getByRole("button", { name: "Confirm booking" }).click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await page.unroute("**/api/trpc/tutoring.sessions.book**");
    const [bookingKey] = bookingKeys;
    expect(bookingKey).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(bookingKeys).toEqual([bookingKey, bookingKey]);
    const keys = await db.query.idempotencyKeys.findMany({ where: (k, { eq }) => eq(k.userId, learner.id) });
    expect(keys).toMatchObject([{ key: bookingKey, path: "tutoring.sessions.book", status: "completed" }]);
    expect(
      await db.query.tutoringSessions.findMany({ where: (s, { eq }) => eq(s.learnerId, learner.id) }),
    ).toHaveLength(1);
    await heading(page, `Session with ${teacher.name}`);
    expect(await creditBalance(db, learner.id).then((b) => b.totalAvailable)).toBe(1);

    await page.getByRole("link", { name: "My sessions", exact: true }).click();
    await heading(page, "My sessions");
    const row = page.getByRole("row", { name: new RegExp(teacher.name) });
    await row.getByRole("button", { name: "Join" }).waitFor(); // not open yet: a day ahead
    expect(await row.getByRole("button", { name: "Join" }).getAttribute("aria-disabled")).toBe("true");
    await row.getByRole("link", { name: /^Details of the session/ }).click();
    await heading(page, `Session with ${teacher.name}`);

    await page.getByRole("button", { name: "Cancel session" }).click();
    await dialog.getByText("Your credit will be returned.").waitFor();
    const cancelRequest = page.waitForRequest((r) => r.url().includes("/api/trpc/tutoring.sessions.cancel"));
    await dialog.getByRole("button", { name: "Confirm cancellation" }).click();
    // Another user action, another key.
    const cancelKey = (await cancelRequest).headers()["idempotency-key"];
    expect(cancelKey).toMatch(/^[A-Za-z0-9_-]{8,128}$/);
    expect(cancelKey).not.toBe(bookingKey);
    await page.getByText(/^You cancelled it on /).waitFor();
    await page.getByText("Credit returned", { exact: true }).waitFor();
    expect(await creditBalance(db, learner.id).then((b) => b.totalAvailable)).toBe(2);
    const cancelled = await db.query.tutoringSessions.findFirst({ where: (s, { eq }) => eq(s.learnerId, learner.id) });
    expect(cancelled).toMatchObject({ status: "cancelled", creditOutcome: "refunded" });
    await context.close();
  }, 90_000);

  it("a teacher sets weekly hours and time off, then reports a session that has started, which completes it", async () => {
    const db = world.api.db;
    const teacher = await userByEmail("teacher1@lectern.local"); // Tom Teacher
    const learner = await userByEmail("learner4@lectern.local"); // Yuki Tanaka
    await db.transaction((tx) => openCreditLot(tx, { learnerId: learner.id, sessions: 1, validityDays: 90 }));
    // A 30-minute session on the half-hour grid that started 30 to 60 minutes ago (so it has ended too).
    const startsAt = new Date(Math.floor(Date.now() / (30 * MINUTE_MS)) * 30 * MINUTE_MS - 30 * MINUTE_MS);
    const weekday = weekdayName(startsAt, teacher.timezone);

    const context = await world.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await signIn(context, teacher.email);

    await page.getByRole("link", { name: "Availability", exact: true }).first().click();
    await heading(page, "Availability");
    await page.getByText(`All times on this page are in your time zone, ${teacher.timezone}.`).waitFor();
    await page.getByRole("group", { name: weekday }).getByRole("button", { name: "Add hours" }).click();
    await page.getByLabel(`From, ${weekday}`).selectOption({ label: "00:00" });
    await page.getByLabel(`To, ${weekday}`).selectOption({ label: "24:00" });
    await page.getByRole("button", { name: "Save availability" }).click();
    await page.getByText("Your weekly hours are saved.").waitFor();
    const dayNumber = WEEKDAYS.indexOf(weekday);
    const rules = await db.query.availabilityRules.findMany({ where: (r, { eq }) => eq(r.teacherId, teacher.id) });
    expect(rules.map(({ weekday, startMinute, endMinute }) => ({ weekday, startMinute, endMinute }))).toEqual([
      { weekday: dayNumber, startMinute: 0, endMinute: 24 * 60 },
    ]);

    // A day off in ten days' time.
    const dayOff = new Date(Date.now() + 10 * DAY_MS).toLocaleDateString("en-CA", { timeZone: teacher.timezone });
    await page.getByLabel("Date", { exact: true }).fill(dayOff);
    await page.getByRole("button", { name: "Add time off" }).click();
    await page.getByText("The date change is saved.").waitFor();
    await page.getByRole("button", { name: /^Remove Time off on / }).waitFor();

    // The learner booked it a day before, inside the hours just set (the clock is moved back for that).
    const booked = await bookSession(
      db,
      { id: learner.id, role: "learner" },
      { teacherId: teacher.id, startsAt, durationMinutes: 30 },
      { now: new Date(startsAt.getTime() - DAY_MS) },
    );

    await page.getByRole("link", { name: "Teaching", exact: true }).first().click();
    await heading(page, "Teaching");
    const waiting = page.getByRole("region", { name: "Sessions waiting for your report" });
    await waiting.getByText(learner.name).waitFor();
    await waiting.getByRole("link", { name: "Write report" }).click();
    await page.waitForURL(`**/sessions/${booked.id}`);
    await heading(page, `Session with ${learner.name}`);

    await page.getByLabel("Message to learner").fill("We practised introductions and small talk.");
    await page.getByLabel("Comments", { exact: true }).fill("Confident; watch the past tense.");
    await page.getByLabel("Next steps").fill("Record a one-minute self-introduction.");
    await page.getByRole("button", { name: "Submit report" }).click();
    await page.getByRole("heading", { name: `Report from ${teacher.name}` }).waitFor();
    await page.getByText("Completed", { exact: true }).first().waitFor();
    const completed = await db.query.tutoringSessions.findFirst({ where: (s, { eq }) => eq(s.id, booked.id) });
    expect(completed).toMatchObject({
      status: "completed",
      creditOutcome: "consumed",
      reportMessage: "We practised introductions and small talk.",
      reportNextSteps: "Record a one-minute self-introduction.",
    });
    await context.close();
  }, 90_000);
});
