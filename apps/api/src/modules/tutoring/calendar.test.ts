import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createApp } from "../../app.ts";
import { Agent, signedInAs, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const _HOUR = 60 * 60_000;
const tokenOf = (url: string) => new URL(url).pathname.match(/^\/calendar\/(.+)\.ics$/)?.[1] ?? "";
const feedRow = async (userId: string) =>
  (await t.db.select().from(schema.calendarFeeds).where(eq(schema.calendarFeeds.userId, userId)))[0];

describe("calendar feed tokens", () => {
  it("are stored only as their SHA-256, the URL is shown once, and lookups go by the hash", async () => {
    const learner = await person(t, "learner");
    expect(await learner.agent.trpc.tutoring.calendar.get.query()).toBeNull();

    const made = await learner.agent.trpc.tutoring.calendar.rotate.mutate();
    const token = tokenOf(made.url);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await feedRow(learner.user.id);
    expect(row?.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(token);
    // The migration hashed existing tokens with this same expression, so their URLs keep working.
    const { rows } = await t.db.execute<{ hash: string }>(
      sql`select encode(sha256(convert_to(${token}, 'UTF8')), 'hex') as hash`,
    );
    expect(rows[0]?.hash).toBe(row?.tokenHash);

    // Afterwards the URL cannot be read back, only when it was made.
    expect(await learner.agent.trpc.tutoring.calendar.get.query()).toEqual({ createdAt: made.createdAt });
    expect((await t.agent({ origin: null }).fetch(`/calendar/${token}.ics`)).status).toBe(200);
    // The hash itself is not a key.
    expect((await t.agent().fetch(`/calendar/${row?.tokenHash}.ics`)).status).toBe(404);
  });

  it("never reach the request log: it names the route pattern", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: "info" }, sink);
    const app = createApp({ env: t.env, database: t.database, auth: t.auth, logger });
    const learner = await person(t, "learner");
    const { url } = await learner.agent.trpc.tutoring.calendar.rotate.mutate();
    const token = tokenOf(url);

    expect((await new Agent(app).fetch(`/calendar/${token}.ics`)).status).toBe(200);
    expect((await new Agent(app).fetch(`/calendar/${"x".repeat(43)}.ics`)).status).toBe(404);
    const log = lines.join("");
    expect(log).not.toContain(token);
    expect(log).not.toContain("x".repeat(43));
    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === "request");
    expect(requests.map((r) => [r.route, r.status])).toEqual([
      ["/calendar/:file", 200],
      ["/calendar/:file", 404],
    ]);
  });

  it("are revoked when an admin disables the user", async () => {
    const admin = await signedInAs(t, "admin");
    const learner = await person(t, "learner");
    const { url } = await learner.agent.trpc.tutoring.calendar.rotate.mutate();
    const path = new URL(url).pathname;
    expect((await t.agent().fetch(path)).status).toBe(200);

    await admin.agent.trpc.admin.users.disable.mutate({ userId: learner.user.id, reason: "Abuse" });
    expect(await feedRow(learner.user.id)).toBeUndefined();
    expect((await t.agent().fetch(path)).status).toBe(404);
    // Re-enabling does not bring the old URL back.
    await admin.agent.trpc.admin.users.enable.mutate({ userId: learner.user.id });
    expect((await t.agent().fetch(path)).status).toBe(404);
  });
});

describe("meeting links", () => {
  async function world() {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    await teacher.agent.trpc.tutoring.profile.update.mutate({
      bio: "",
      subjects: [],
      languages: [],
      defaultMeetingUrl: "https://meet.example.com/teacher",
    });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 3);
    return { teacher, learner };
  }

  it("a learner cannot set one when booking: the call is refused and nothing is booked", async () => {
    const { teacher, learner } = await world();
    const input = {
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      meetingUrl: "https://evil.example.com/phish",
    } as unknown as Parameters<typeof learner.agent.trpc.tutoring.sessions.book.mutate>[0];
    expect(await trpcError(learner.agent.trpc.tutoring.sessions.book.mutate(input))).toMatchObject({
      status: 400,
      appCode: "VALIDATION_FAILED",
    });
    expect(
      await t.db.select().from(schema.tutoringSessions).where(eq(schema.tutoringSessions.learnerId, learner.user.id)),
    ).toEqual([]);

    // Without one, the session takes the teacher's link.
    const booked = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
    });
    expect(booked.meetingUrl).toBe("https://meet.example.com/teacher");
    // And the learner cannot change it afterwards.
    expect(
      await trpcError(
        learner.agent.trpc.tutoring.sessions.setMeetingUrl.mutate({
          sessionId: booked.id,
          meetingUrl: "https://evil.example.com/phish",
        }),
      ),
    ).toMatchObject({ status: 403, appCode: "FORBIDDEN" });
  });

  it("the teacher and an admin set https links only", async () => {
    const { teacher, learner } = await world();
    const admin = await signedInAs(t, "admin");
    const booked = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(40),
    });
    const refusals = [
      () =>
        teacher.agent.trpc.tutoring.sessions.setMeetingUrl.mutate({
          sessionId: booked.id,
          meetingUrl: "http://meet.example.com/plain",
        }),
      () =>
        admin.agent.trpc.admin.sessions.update.mutate({
          sessionId: booked.id,
          meetingUrl: "http://meet.example.com/x",
        }),
      () =>
        teacher.agent.trpc.tutoring.profile.update.mutate({
          bio: "",
          subjects: [],
          languages: [],
          defaultMeetingUrl: "http://meet.example.com/plain",
        }),
    ];
    for (const refused of refusals)
      expect(await trpcError(refused())).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect((await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: booked.id })).meetingUrl).toBe(
      "https://meet.example.com/teacher",
    );

    const set = await teacher.agent.trpc.tutoring.sessions.setMeetingUrl.mutate({
      sessionId: booked.id,
      meetingUrl: "https://meet.example.com/room-2",
    });
    expect(set.meetingUrl).toBe("https://meet.example.com/room-2");
  });
});
