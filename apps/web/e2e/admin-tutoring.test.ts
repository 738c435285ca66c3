// The world is set up through the API's own services, not through the UI under test.
import { openCreditLot, reportSession, setTeacherRate } from "@lectern/api/services";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.close());

const ADMIN_ZONE = "Europe/London"; // the demo admin's time zone
const MINUTE_MS = 60_000;

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

/** The instant whose wall-clock time in `timeZone` is the given one (what the admin means by "10:00"). */
function zonedInstant(timeZone: string, year: number, monthIndex: number, day: number, hour: number, minute: number) {
  const wanted = Date.UTC(year, monthIndex, day, hour, minute);
  const wallClock = (instant: number) => {
    const parts: Record<string, number> = {};
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    for (const part of format.formatToParts(instant)) parts[part.type] = Number(part.value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0 } = parts;
    return Date.UTC(year, month - 1, day, hour, minute);
  };
  let guess = wanted;
  for (let i = 0; i < 2; i++) guess += wanted - wallClock(guess);
  return new Date(guess);
}

async function heading(page: Page, name: string | RegExp) {
  await page.getByRole("heading", { name }).first().waitFor();
}

describe("tutoring sessions in the admin console", () => {
  it("an admin books a session with the learner's credit, sees it listed, and reads the teacher's pay once it is completed", async () => {
    const db = world.api.db;
    const admin = await userByEmail("admin@lectern.local");
    const learner = await userByEmail("learner1@lectern.local"); // Lena Learner
    const teacher = await userByEmail("teacher1@lectern.local"); // Tom Teacher
    await db.transaction((tx) =>
      openCreditLot(tx, { learnerId: learner.id, sessions: 2, validityDays: 90, grantedBy: admin.id }),
    );
    await setTeacherRate(
      db,
      { id: admin.id, ip: null },
      {
        teacherId: teacher.id,
        hourlyRateMinor: 3000,
        rateCurrency: "GBP",
      },
    );

    const context = await world.browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(world.adminUrl);
    await page.getByLabel("Email").fill("admin@lectern.local");
    await page.getByLabel("Password").fill("lectern-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading(page, "Users");

    await page.getByRole("link", { name: "Sessions", exact: true }).click();
    await heading(page, "Sessions");
    await page.getByText("No sessions match these filters.").waitFor();
    await page.getByRole("link", { name: "New session" }).click();
    await heading(page, "New session");

    await page.getByLabel("Learner").fill("learner1");
    await page.getByRole("option", { name: /Lena Learner/ }).click();
    await page.getByText("Available credits: 2").waitFor();
    await page.getByLabel("Teacher").fill("Tom");
    await page.getByRole("option", { name: /Tom Teacher/ }).click();
    // The 15th of next month at 10:00, London time, whatever zone this machine is in.
    await page.getByLabel("Starts at").click();
    await page.getByRole("button", { name: "Next month" }).click();
    const shownMonth = await page.getByRole("button", { name: /^15 / }).getAttribute("aria-label");
    await page.getByRole("button", { name: /^15 / }).click();
    await page.getByLabel("Hours").fill("10");
    await page.getByLabel("Minutes").fill("00");
    await page.getByRole("button", { name: "Done" }).click();
    // The form prices the session in the learner's credits before it is created.
    await page.getByLabel("Session length").click();
    await page.getByRole("option", { name: "120 min" }).click();
    await page.getByText("This session takes 2 of the learner's credits (each pays for up to 60 min).").waitFor();
    await page.getByLabel("Session length").click();
    await page.getByRole("option", { name: "60 min" }).click();
    await page.getByText("This session takes 1 of the learner's credits (each pays for up to 60 min).").waitFor();
    await page.getByLabel("Meeting link").fill("https://meet.example.com/lena-tom");
    await page.getByLabel("Notes").fill("Trial lesson booked by phone");
    await page.getByRole("button", { name: "Create session" }).click();

    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    await heading(page, "Lena Learner with Tom Teacher");
    await page.locator("dl").getByText("Credit reserved", { exact: true }).waitFor(); // the credit outcome
    await page.getByRole("cell", { name: "Credit reserved" }).waitFor(); // the ledger's movement
    await page.getByText("£30.00 per hour").waitFor();
    const sessionId = new URL(page.url()).pathname.split("/").pop() ?? "";
    const booked = await db.query.tutoringSessions.findFirst({ where: (t, { eq }) => eq(t.id, sessionId) });
    if (!booked) throw new Error("the session was not saved");
    const [day, monthName, year] = (shownMonth ?? "").split(" ");
    const monthIndex = new Date(`${monthName} 1, ${year}`).getMonth();
    expect(booked.startsAt).toEqual(zonedInstant(ADMIN_ZONE, Number(year), monthIndex, Number(day), 10, 0));
    expect(booked).toMatchObject({
      learnerId: learner.id,
      teacherId: teacher.id,
      durationMinutes: 60,
      status: "booked",
      creditOutcome: "reserved",
      hourlyRateMinor: 3000,
      rateCurrency: "GBP",
      meetingUrl: "https://meet.example.com/lena-tom",
      notes: "Trial lesson booked by phone",
      createdBy: admin.id,
    });

    await page.getByRole("link", { name: "All sessions" }).click();
    const row = page.getByRole("row", { name: /Lena Learner/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Tom Teacher.*Lena Learner.*60 min.*Booked.*Credit reserved/);

    // The hour passes: the teacher reports the session, which completes it (credit used, pay posted).
    await reportSession(
      db,
      { id: teacher.id, role: "teacher" },
      { sessionId, message: "A good start.", comments: "", nextSteps: "Practise the past tense." },
      { now: new Date(booked.startsAt.getTime() + 65 * MINUTE_MS) },
    );
    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Completed.*Credit used/);
    await row.getByRole("link").click();
    await heading(page, "Lena Learner with Tom Teacher");
    await page.getByText("A good start.").waitFor();
    await page.getByRole("cell", { name: "Teacher's pay posted" }).waitFor();
    expect(await page.getByRole("button", { name: "Delete session" }).isDisabled()).toBe(true);

    // Payroll for this month (the pay was posted now) owes Tom 1 h × £30.00.
    await page.getByRole("link", { name: "Payroll", exact: true }).click();
    await heading(page, "Payroll");
    const payrollRow = page.getByRole("row", { name: /Tom Teacher/ });
    await payrollRow.waitFor();
    const cells = await payrollRow.getByRole("cell").allTextContents();
    const column = async (name: string) => {
      const headers = await page.getByRole("columnheader").allTextContents();
      return cells[headers.indexOf(name)];
    };
    expect(await column("Sessions")).toBe("1");
    expect(await column("Hours")).toBe("1");
    expect(await column("Owed")).toBe("£30.00");
    await context.close();
  });
});
