// No-shows in Chromium: once a session has started the learner is offered "My teacher didn't come"
// instead of cancel or reschedule; the admin resolves the report on the Disputes page; a teacher
// marks an absent learner. The world is set up through the API's own services.
import { bookSession, creditBalance, openCreditLot, setWeeklyAvailability } from "@lectern/api/services";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoSeriousA11yViolations } from "./a11y.ts";
import { startWorld, type World } from "./harness.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world?.close());

const PASSWORD = "lectern-demo";
const MINUTE_MS = 60_000;
const STEP_MS = 30 * MINUTE_MS;
const ALWAYS = Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 0, endMinute: 24 * 60 }));

async function userByEmail(email: string) {
  const found = await world.api.db.query.users.findFirst({ where: (u, { eq }) => eq(u.email, email) });
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
}

/** A 60-minute session that started one to two hours ago (booked, as if, three hours before it). */
async function startedSession(learnerEmail: string, teacherEmail: string) {
  const db = world.api.db;
  const learner = await userByEmail(learnerEmail);
  const teacher = await userByEmail(teacherEmail);
  await db.transaction((tx) => openCreditLot(tx, { learnerId: learner.id, sessions: 2, validityDays: 90 }));
  await setWeeklyAvailability(db, teacher.id, ALWAYS);
  const startsAt = new Date(Math.floor(Date.now() / STEP_MS) * STEP_MS - 60 * MINUTE_MS);
  const session = await bookSession(
    db,
    { id: learner.id, role: "learner" },
    { teacherId: teacher.id, startsAt, durationMinutes: 60 },
    { now: new Date(startsAt.getTime() - 3 * 60 * MINUTE_MS) },
  );
  return { learner, teacher, session };
}

async function signIn(context: BrowserContext, email: string) {
  const page = await context.newPage();
  await page.goto(`${world.webUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page
    .getByRole("heading", { name: /^Welcome, / })
    .first()
    .waitFor();
  return page;
}

async function signInAdmin(context: BrowserContext) {
  const page = await context.newPage();
  await page.goto(world.adminUrl);
  await page.getByLabel("Email").fill("admin@lectern.local");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Users" }).waitFor();
  return page;
}

async function sessionRow(id: string) {
  const row = await world.api.db.query.tutoringSessions.findFirst({ where: (s, { eq }) => eq(s.id, id) });
  if (!row) throw new Error("session missing");
  return row;
}

describe("no-shows in Chromium", () => {
  it("the learner reports that the teacher didn't come; the admin refunds it from the Disputes page", async () => {
    const { learner, session } = await startedSession("learner4@lectern.local", "teacher3@lectern.local");
    const credits = (await creditBalance(world.api.db, learner.id)).totalAvailable;

    const context = await world.browser.newContext();
    context.setDefaultTimeout(15_000);
    const page: Page = await signIn(context, "learner4@lectern.local");
    await page.goto(`${world.webUrl}/sessions/${session.id}`);
    await page.getByRole("heading", { name: "Didn't happen?" }).waitFor();
    // Started: neither cancel nor reschedule is offered any more.
    expect(await page.getByRole("button", { name: "Cancel session" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Reschedule" }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, "session page, started");

    await page.getByRole("button", { name: "My teacher didn't come" }).click();
    const dialog = page.getByRole("dialog", { name: "Report that the teacher didn't come" });
    await dialog.getByLabel("What happened (optional)").fill("Waited 20 minutes in the meeting room");
    await dialog.getByRole("button", { name: "Send report" }).click();
    await page.getByText(/that your teacher didn't come\. An admin will decide\./).waitFor();
    expect((await sessionRow(session.id)).teacherAbsentReportedAt).not.toBeNull();
    await context.close();

    const adminContext = await world.browser.newContext();
    adminContext.setDefaultTimeout(15_000);
    const admin = await signInAdmin(adminContext);
    await admin.getByRole("link", { name: "Disputes" }).click();
    await admin.getByRole("heading", { name: "Disputes" }).waitFor();
    const row = admin.getByRole("row").filter({ hasText: "Waited 20 minutes in the meeting room" });
    await row.waitFor();
    // Away from the nav link just clicked: its hover colour is not what the page shows.
    await admin.mouse.move(600, 5);
    await expectNoSeriousA11yViolations(admin, "disputes page");
    await row.getByRole("button", { name: "Refund learner" }).click();
    const resolve = admin.getByRole("dialog", { name: "Refund the learner" });
    await resolve.getByLabel(/Note to both/).fill("The teacher confirmed the absence");
    await resolve.getByRole("button", { name: "Confirm" }).click();
    await admin.getByText("No open disputes.").waitFor();

    expect(await sessionRow(session.id)).toMatchObject({
      status: "cancelled",
      creditOutcome: "refunded",
      disputeResolution: "refund",
    });
    expect((await creditBalance(world.api.db, learner.id)).totalAvailable).toBe(credits + 1);
    await adminContext.close();
  });

  it("the teacher marks an absent learner, which completes the session; the admin can then reverse it with a reason", async () => {
    const { learner, session } = await startedSession("learner5@lectern.local", "teacher1@lectern.local");
    const credits = (await creditBalance(world.api.db, learner.id)).totalAvailable;

    const context = await world.browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await signIn(context, "teacher1@lectern.local");
    await page.goto(`${world.webUrl}/sessions/${session.id}`);
    await page.getByRole("button", { name: "Mark learner absent" }).click();
    const dialog = page.getByRole("dialog", { name: "Mark the learner absent" });
    await dialog.getByRole("button", { name: "Mark absent" }).click();
    await page.getByText(/You marked the learner absent on/).waitFor();
    expect(await sessionRow(session.id)).toMatchObject({ status: "completed", creditOutcome: "consumed" });
    await context.close();

    const adminContext = await world.browser.newContext();
    adminContext.setDefaultTimeout(15_000);
    const admin = await signInAdmin(adminContext);
    await admin.goto(`${world.adminUrl}/sessions/${session.id}`);
    await admin.getByRole("button", { name: "Reverse session" }).click();
    const reverse = admin.getByRole("dialog", { name: "Reverse completed session" });
    await reverse.getByRole("button", { name: "Reverse" }).click();
    // The reason is required.
    await reverse.getByText("Required").waitFor();
    await reverse.getByLabel("Reason").fill("The learner was in the meeting room");
    await reverse.getByRole("button", { name: "Reverse" }).click();
    await admin.getByText("Reason for reversing").waitFor();
    expect(await sessionRow(session.id)).toMatchObject({ status: "cancelled", creditOutcome: "refunded" });
    expect((await creditBalance(world.api.db, learner.id)).totalAvailable).toBe(credits + 1);
    await adminContext.close();
  });
});
