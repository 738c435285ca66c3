import { TEXT_MAX, TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { teacherSlots } from "./directory.ts";
import { bookSession } from "./sessions.ts";
import { ALWAYS, grantCredits, type Person, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEP = TUTORING_POLICY.slotStepMinutes * MINUTE;
/** `hour`:00 UTC, `days` days from today. */
const utcDay = (days: number, hour = 0, minute = 0) => {
  const d = new Date(Date.now() + days * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour, minute));
};

const everyDay = (startHour: number, endHour: number) =>
  ALWAYS.map((r) => ({ ...r, startMinute: startHour * 60, endMinute: endHour * 60 }));

describe("the teacher directory", () => {
  it("lists bookable teachers with bio, subjects, languages, rating and next free slot; filters; pages", async () => {
    const tag = `dir${crypto.randomUUID().slice(0, 6)}`;
    const english = await person(t, "teacher", { name: `${tag} Amal` });
    await english.agent.trpc.tutoring.profile.update.mutate({
      bio: "IELTS coach",
      subjects: ["English", "IELTS", "english"],
      languages: ["Arabic", "English"],
      defaultMeetingUrl: null,
    });
    await english.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const maths = await person(t, "teacher", { name: `${tag} Bram` });
    await maths.agent.trpc.tutoring.profile.update.mutate({
      bio: "Numbers",
      subjects: ["Maths"],
      languages: ["French"],
      defaultMeetingUrl: null,
    });
    const disabled = await person(t, "teacher", { name: `${tag} Cleo` });
    await t.db.update(schema.users).set({ banned: true }).where(eq(schema.users.id, disabled.user.id));
    await person(t, "learner", { name: `${tag} Dana` });
    const learner = await person(t, "learner");
    const before = Date.now();

    const all = await learner.agent.trpc.tutoring.teachers.list.query({ query: tag });

    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.name)).toEqual([`${tag} Amal`, `${tag} Bram`]);
    const [amal, bram] = all.items;
    expect(amal).toMatchObject({
      id: english.user.id,
      bio: "IELTS coach",
      subjects: ["English", "IELTS"],
      languages: ["Arabic", "English"],
      averageRating: null,
      ratingsCount: 0,
    });
    const next = amal?.nextFreeSlot as Date;
    expect(next.getTime()).toBeGreaterThanOrEqual(before + TUTORING_POLICY.minBookingNoticeMinutes * MINUTE);
    expect(next.getTime()).toBeLessThan(before + TUTORING_POLICY.minBookingNoticeMinutes * MINUTE + STEP + 5_000);
    expect(next.getTime() % STEP).toBe(0);
    expect(bram?.nextFreeSlot).toBeNull();

    const bySubject = await learner.agent.trpc.tutoring.teachers.list.query({ query: tag, subject: "ielts" });
    expect(bySubject.items.map((i) => i.id)).toEqual([english.user.id]);
    const byLanguage = await learner.agent.trpc.tutoring.teachers.list.query({ query: tag, language: "FRENCH" });
    expect(byLanguage.items.map((i) => i.id)).toEqual([maths.user.id]);
    const byBio = await learner.agent.trpc.tutoring.teachers.list.query({ query: "ielts coach" });
    expect(byBio.items.map((i) => i.id)).toContain(english.user.id);
    const page2 = await learner.agent.trpc.tutoring.teachers.list.query({ query: tag, page: 2, pageSize: 1 });
    expect(page2).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(page2.items.map((i) => i.id)).toEqual([maths.user.id]);

    expect(await learner.agent.trpc.tutoring.teachers.get.query({ teacherId: english.user.id })).toMatchObject({
      id: english.user.id,
      nextFreeSlot: next,
    });
    for (const teacherId of [disabled.user.id, learner.user.id, "nobody"]) {
      expect(await trpcError(learner.agent.trpc.tutoring.teachers.get.query({ teacherId }))).toMatchObject({
        status: 404,
        appCode: "TEACHER_NOT_FOUND",
      });
    }
  });

  it("stays fast with 1,000 teachers: slots are computed for one page only", async () => {
    const learner = await person(t, "learner");
    const tag = `bulk${crypto.randomUUID().slice(0, 6)}`;
    await t.db.execute(sql`
      insert into users (id, name, email, email_verified, role, timezone)
      select gen_random_uuid()::text, ${tag} || ' ' || lpad(i::text, 4, '0'), ${tag} || i || '@example.com', true,
        'teacher', (array['Europe/London', 'America/New_York', 'Asia/Tokyo'])[1 + i % 3]
      from generate_series(1, 1000) as i`);
    await t.db.execute(sql`
      insert into availability_rules (teacher_id, weekday, start_minute, end_minute)
      select u.id, d, 540, 1020 from users u cross join generate_series(0, 6) d where u.name like ${`${tag} %`}`);

    const started = performance.now();
    const page = await learner.agent.trpc.tutoring.teachers.list.query({ query: tag, pageSize: 50 });
    const elapsed = performance.now() - started;

    expect(page.total).toBe(1000);
    expect(page.items).toHaveLength(50);
    expect(page.items.every((i) => i.nextFreeSlot instanceof Date)).toBe(true);
    // Generous: this guards against computing slots for every teacher, not against a slow machine.
    expect(elapsed).toBeLessThan(3_000);
  });
});

describe("free slots", () => {
  it("are grid starts inside availability and the booking window, leaving out the teacher's and the asking learner's sessions", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: everyDay(9, 12) });
    const otherTeacher = await person(t, "teacher");
    await otherTeacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    const someoneElse = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    await grantCredits(t, someoneElse.user.id, 1);
    // Day 3: the teacher is busy 09:00–10:00 with someone else; the learner is busy 11:00–11:30 elsewhere.
    await someoneElse.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: utcDay(3, 9) });
    await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: otherTeacher.user.id,
      startsAt: utcDay(3, 11),
      durationMinutes: 30,
    });

    const { slots, teacherTimezone } = await learner.agent.trpc.tutoring.teachers.slots.query({
      teacherId: teacher.user.id,
      from: utcDay(3),
      to: utcDay(4),
      durationMinutes: 60,
    });

    expect(teacherTimezone).toBe("UTC");
    expect(slots).toEqual([utcDay(3, 10)]);
    // The teacher's own view (no learner sessions to avoid) has 10:00, 10:30 and 11:00.
    expect(
      (
        await teacher.agent.trpc.tutoring.teachers.slots.query({
          teacherId: teacher.user.id,
          from: utcDay(3),
          to: utcDay(4),
          durationMinutes: 60,
        })
      ).slots,
    ).toEqual([utcDay(3, 10), utcDay(3, 10, 30), utcDay(3, 11)]);

    // A range starting in the past starts at the minimum notice.
    const fromPast = await learner.agent.trpc.tutoring.teachers.slots.query({
      teacherId: otherTeacher.user.id,
      from: new Date(Date.now() - DAY),
      to: new Date(Date.now() + DAY),
      durationMinutes: 30,
    });
    expect(fromPast.slots[0]?.getTime()).toBeGreaterThanOrEqual(Date.now() + 2 * HOUR - 5_000);
    // Nothing beyond the booking horizon.
    const beyond = await learner.agent.trpc.tutoring.teachers.slots.query({
      teacherId: otherTeacher.user.id,
      from: new Date(Date.now() + (TUTORING_POLICY.bookingHorizonDays + 1) * DAY),
      to: new Date(Date.now() + (TUTORING_POLICY.bookingHorizonDays + 5) * DAY),
      durationMinutes: 30,
    });
    expect(beyond.slots).toEqual([]);
    expect(
      await trpcError(
        learner.agent.trpc.tutoring.teachers.slots.query({
          teacherId: teacher.user.id,
          from: utcDay(1),
          to: utcDay(40),
          durationMinutes: 60,
        }),
      ),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
  });

  it("land on the right UTC instants across daylight-saving changes (London, New York) and can be booked there", async () => {
    const london = await person(t, "teacher", { timezone: "Europe/London" });
    await london.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: everyDay(9, 10) });
    const newYork = await person(t, "teacher", { timezone: "America/New_York" });
    await newYork.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: everyDay(9, 10) });
    const learner = await person(t, "learner");
    const slots = async (teacher: Person, now: string, from: string, to: string) =>
      (
        await teacherSlots(
          t.db,
          learner.user.id,
          { teacherId: teacher.user.id, from: new Date(from), to: new Date(to), durationMinutes: 60 },
          new Date(now),
        )
      ).slots.map((d) => d.toISOString());

    expect(await slots(london, "2025-03-20T00:00:00Z", "2025-03-29T00:00:00Z", "2025-04-01T00:00:00Z")).toEqual([
      "2025-03-29T09:00:00.000Z",
      "2025-03-30T08:00:00.000Z",
      "2025-03-31T08:00:00.000Z",
    ]);
    expect(await slots(london, "2025-10-20T00:00:00Z", "2025-10-25T00:00:00Z", "2025-10-28T00:00:00Z")).toEqual([
      "2025-10-25T08:00:00.000Z",
      "2025-10-26T09:00:00.000Z",
      "2025-10-27T09:00:00.000Z",
    ]);
    expect(await slots(newYork, "2025-03-01T00:00:00Z", "2025-03-08T00:00:00Z", "2025-03-11T00:00:00Z")).toEqual([
      "2025-03-08T14:00:00.000Z",
      "2025-03-09T13:00:00.000Z",
      "2025-03-10T13:00:00.000Z",
    ]);
    expect(await slots(newYork, "2025-10-25T00:00:00Z", "2025-11-01T00:00:00Z", "2025-11-04T00:00:00Z")).toEqual([
      "2025-11-01T13:00:00.000Z",
      "2025-11-02T14:00:00.000Z",
      "2025-11-03T14:00:00.000Z",
    ]);

    // Booking checks availability the same way: 08:00Z is 09:00 in a London summer, 08:00 in winter.
    const now = new Date("2025-03-20T00:00:00Z");
    await grantCredits(t, learner.user.id, 2, now);
    const actor = { id: learner.user.id, role: "learner" as const };
    const booked = await bookSession(
      t.db,
      actor,
      { teacherId: london.user.id, startsAt: new Date("2025-03-31T08:00:00Z"), durationMinutes: 60 },
      { now },
    );
    expect(booked.startsAt.toISOString()).toBe("2025-03-31T08:00:00.000Z");
    await expect(
      bookSession(
        t.db,
        actor,
        { teacherId: london.user.id, startsAt: new Date("2025-03-28T08:00:00Z"), durationMinutes: 60 },
        { now },
      ),
    ).rejects.toMatchObject({ code: "SLOT_UNAVAILABLE" });
  });
});

describe("a teacher's own profile and availability", () => {
  it("profile: read with defaults, created on the first edit; the rate is not the teacher's to set", async () => {
    const teacher = await person(t, "teacher", { timezone: "Africa/Lagos" });
    expect(await teacher.agent.trpc.tutoring.profile.get.query()).toMatchObject({
      bio: "",
      subjects: [],
      hourlyRateMinor: 0,
      rateCurrency: "USD",
      timezone: "Africa/Lagos",
    });
    const input = {
      bio: "Hello",
      subjects: ["Physics"],
      languages: ["Yoruba"],
      defaultMeetingUrl: "https://meet.example.com/x",
      hourlyRateMinor: 999_999,
    };
    const updated = await teacher.agent.trpc.tutoring.profile.update.mutate(input);
    expect(updated).toMatchObject({ bio: "Hello", subjects: ["Physics"], hourlyRateMinor: 0 });
    expect(
      await trpcError(
        teacher.agent.trpc.tutoring.profile.update.mutate({ ...input, defaultMeetingUrl: "javascript:x" }),
      ),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(
      await trpcError(teacher.agent.trpc.tutoring.profile.update.mutate({ ...input, bio: "x".repeat(TEXT_MAX + 1) })),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect((await teacher.agent.trpc.tutoring.profile.get.query()).bio).toBe("Hello");
  });

  it("weekly hours are replaced all at once; overlapping hours are refused (AVAILABILITY_OVERLAP) and the old ones stay", async () => {
    const teacher = await person(t, "teacher");
    const first = await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({
      rules: [
        { weekday: 1, startMinute: 540, endMinute: 720 },
        { weekday: 1, startMinute: 720, endMinute: 780 },
      ],
    });
    expect(first.rules.map((r) => [r.weekday, r.startMinute, r.endMinute])).toEqual([
      [1, 540, 720],
      [1, 720, 780],
    ]);

    const overlap = await trpcError(
      teacher.agent.trpc.tutoring.availability.setWeekly.mutate({
        rules: [
          { weekday: 2, startMinute: 540, endMinute: 720 },
          { weekday: 2, startMinute: 600, endMinute: 660 },
        ],
      }),
    );
    expect(overlap).toMatchObject({ status: 409, appCode: "AVAILABILITY_OVERLAP" });
    expect((await teacher.agent.trpc.tutoring.availability.get.query()).rules).toEqual(first.rules);
    expect(
      await trpcError(
        teacher.agent.trpc.tutoring.availability.setWeekly.mutate({
          rules: [{ weekday: 7, startMinute: 0, endMinute: 60 }],
        }),
      ),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(
      await trpcError(
        teacher.agent.trpc.tutoring.availability.setWeekly.mutate({
          rules: [{ weekday: 3, startMinute: 600, endMinute: 600 }],
        }),
      ),
    ).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });

    const cleared = await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: [] });
    expect(cleared.rules).toEqual([]);
  });

  it("date overrides take time off (whole day or a range) or add hours; overlapping ones are refused; only the owner removes them", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: everyDay(9, 12) });
    const learner = await person(t, "learner");
    const day = utcDay(5).toISOString().slice(0, 10);
    const slotsOnDay = async () =>
      (
        await learner.agent.trpc.tutoring.teachers.slots.query({
          teacherId: teacher.user.id,
          from: utcDay(5),
          to: utcDay(6),
          durationMinutes: 60,
        })
      ).slots.map((d) => d.toISOString().slice(11, 16));
    expect(await slotsOnDay()).toEqual(["09:00", "09:30", "10:00", "10:30", "11:00"]);

    const off = await teacher.agent.trpc.tutoring.availability.addOverride.mutate({ date: day, kind: "off" });
    expect(off).toMatchObject({ date: day, kind: "off", startMinute: 0, endMinute: 1440 });
    expect(await slotsOnDay()).toEqual([]);
    const extra = await teacher.agent.trpc.tutoring.availability.addOverride.mutate({
      date: day,
      kind: "extra",
      startMinute: 18 * 60,
      endMinute: 19 * 60,
    });
    expect(await slotsOnDay()).toEqual(["18:00"]);
    expect(
      await trpcError(
        teacher.agent.trpc.tutoring.availability.addOverride.mutate({
          date: day,
          kind: "off",
          startMinute: 600,
          endMinute: 660,
        }),
      ),
    ).toMatchObject({ status: 409, appCode: "AVAILABILITY_OVERLAP" });
    expect((await teacher.agent.trpc.tutoring.availability.get.query()).overrides.map((o) => o.id).sort()).toEqual(
      [off.id, extra.id].sort(),
    );

    const stranger = await person(t, "teacher");
    expect(
      await trpcError(stranger.agent.trpc.tutoring.availability.removeOverride.mutate({ overrideId: off.id })),
    ).toMatchObject({ status: 404 });
    await teacher.agent.trpc.tutoring.availability.removeOverride.mutate({ overrideId: off.id });
    expect(await slotsOnDay()).toEqual(["09:00", "09:30", "10:00", "10:30", "11:00", "18:00"]);
  });
});

describe("bad input", () => {
  /** Everything a refused call could have written. */
  const snapshot = async () => {
    const { rows } = await t.db.execute<Record<string, number>>(sql`select
      (select count(*)::int from tutoring_sessions) as sessions,
      (select count(*)::int from ledger_entries) as entries,
      (select count(*)::int from ledger_transactions) as transactions,
      (select count(*)::int from audit_log) as audit,
      (select count(*)::int from email_outbox) as emails,
      (select count(*)::int from graphile_worker._private_jobs) as jobs,
      (select sum(balance)::int from ledger_accounts where owner_id is not null) as balances`);
    return rows[0];
  };

  it("is refused with stable codes (400/404/409) and nothing half-written", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: everyDay(9, 17) });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    const session = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: utcDay(4, 9),
    });
    const book = (input: Partial<{ teacherId: string; startsAt: Date; durationMinutes: number; meetingUrl: string }>) =>
      learner.agent.trpc.tutoring.sessions.book.mutate({
        teacherId: teacher.user.id,
        startsAt: utcDay(4, 11),
        ...input,
      } as Parameters<typeof learner.agent.trpc.tutoring.sessions.book.mutate>[0]);
    const before = await snapshot();

    const cases: [string, () => Promise<unknown>, number, string][] = [
      ["in the past", () => book({ startsAt: utcDay(-1, 10) }), 409, "TOO_SOON"],
      ["inside the minimum notice", () => book({ startsAt: slotIn(1) }), 409, "TOO_SOON"],
      ["off availability", () => book({ startsAt: utcDay(4, 20) }), 409, "SLOT_UNAVAILABLE"],
      ["running past the end of availability", () => book({ startsAt: utcDay(4, 16, 30) }), 409, "SLOT_UNAVAILABLE"],
      ["off the slot grid", () => book({ startsAt: utcDay(4, 11, 10) }), 409, "SLOT_UNAVAILABLE"],
      [
        "beyond the horizon",
        () => book({ startsAt: utcDay(TUTORING_POLICY.bookingHorizonDays + 2, 10) }),
        409,
        "SLOT_UNAVAILABLE",
      ],
      ["over the learner's own session", () => book({ startsAt: utcDay(4, 9, 30) }), 409, "SLOT_TAKEN"],
      ["an unknown teacher", () => book({ teacherId: "nobody" }), 404, "TEACHER_NOT_FOUND"],
      ["a learner as teacher", () => book({ teacherId: learner.user.id }), 404, "TEACHER_NOT_FOUND"],
      ["a length outside the set", () => book({ durationMinutes: 50 }), 400, "VALIDATION_FAILED"],
      ["a non-http meeting link", () => book({ meetingUrl: "javascript:alert(1)" }), 400, "VALIDATION_FAILED"],
      [
        "a cancel reason over the limit",
        () => learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id, reason: "x".repeat(501) }),
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a report over the limit",
        () =>
          teacher.agent.trpc.tutoring.sessions.report.mutate({
            sessionId: session.id,
            message: "x".repeat(TEXT_MAX + 1),
          }),
        400,
        "VALIDATION_FAILED",
      ],
      [
        "an unknown session",
        () => learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: crypto.randomUUID() }),
        404,
        "SESSION_NOT_FOUND",
      ],
      [
        "a malformed session id",
        () => learner.agent.trpc.tutoring.sessions.get.query({ sessionId: "42" }),
        400,
        "VALIDATION_FAILED",
      ],
      [
        "a reschedule into the past",
        () =>
          learner.agent.trpc.tutoring.sessions.reschedule.mutate({ sessionId: session.id, startsAt: utcDay(-2, 10) }),
        409,
        "TOO_SOON",
      ],
      [
        "a NUL byte in a reason",
        () => learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: session.id, reason: "a\u0000b" }),
        400,
        "BAD_REQUEST",
      ],
    ];
    for (const [label, call, status, appCode] of cases) {
      expect(await trpcError(call()), label).toMatchObject({ status, appCode });
    }

    expect(await snapshot()).toEqual(before);
    expect(await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: session.id })).toMatchObject({
      status: "booked",
      startsAt: utcDay(4, 9),
    });
  });
});
