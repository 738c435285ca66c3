import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The local date of an instant in a zone, "YYYY-MM-DD". */
const localDate = (instant: number, timeZone: string) => new Date(instant).toLocaleDateString("en-CA", { timeZone });

const overridesOf = (teacherId: string) =>
  t.db.select().from(schema.availabilityOverrides).where(eq(schema.availabilityOverrides.teacherId, teacherId));

describe("availability date changes", () => {
  it("a date before today in the teacher's zone is refused with DATE_IN_PAST and nothing is stored", async () => {
    // Kiritimati is UTC+14: its "today" is often tomorrow in UTC, so the zone must decide.
    const zone = "Pacific/Kiritimati";
    const teacher = await person(t, "teacher", { timezone: zone });
    const today = localDate(Date.now(), zone);
    const yesterday = localDate(Date.now() - DAY, zone);

    const refused = await trpcError(
      teacher.agent.trpc.tutoring.availability.addOverride.mutate({ date: yesterday, kind: "off" }),
    );
    expect(refused).toMatchObject({ status: 409, appCode: "DATE_IN_PAST" });
    expect(await overridesOf(teacher.user.id)).toEqual([]);

    const added = await teacher.agent.trpc.tutoring.availability.addOverride.mutate({
      date: today,
      kind: "extra",
      startMinute: 9 * 60,
      endMinute: 17 * 60,
    });
    expect(added).toMatchObject({ date: today, kind: "extra", startMinute: 540, endMinute: 1020 });
  });

  it("an old row the list no longer shows never makes a new change fail with an overlap", async () => {
    const teacher = await person(t, "teacher");
    const longAgo = localDate(Date.now() - 5 * DAY, "UTC");
    // A row stored before past dates were refused.
    await t.db
      .insert(schema.availabilityOverrides)
      .values({ teacherId: teacher.user.id, date: longAgo, kind: "off", startMinute: 0, endMinute: 1440 });
    const { overrides } = await teacher.agent.trpc.tutoring.availability.get.query();
    expect(overrides).toEqual([]);

    // Trying that date again says why, instead of "this overlaps another change".
    expect(
      await trpcError(teacher.agent.trpc.tutoring.availability.addOverride.mutate({ date: longAgo, kind: "off" })),
    ).toMatchObject({ status: 409, appCode: "DATE_IN_PAST" });
    const tomorrow = localDate(Date.now() + DAY, "UTC");
    await teacher.agent.trpc.tutoring.availability.addOverride.mutate({ date: tomorrow, kind: "off" });
    const after = await teacher.agent.trpc.tutoring.availability.get.query();
    expect(after.overrides.map((o) => o.date)).toEqual([tomorrow]);
  });
});

describe("session lists", () => {
  it("upcoming, past and cancelled are separate: a cancelled session shows only under cancelled", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 2);
    const kept = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(48),
    });
    const dropped = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(72),
    });
    await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: dropped.id, reason: "" });

    for (const who of [learner, teacher]) {
      const lists = who.agent.trpc.tutoring.sessions;
      const ids = async (list: typeof lists.upcoming) => (await list.query({})).items.map((s) => s.id);
      expect(await ids(lists.upcoming)).toEqual([kept.id]);
      expect(await ids(lists.past)).toEqual([]);
      const cancelled = await lists.cancelled.query({});
      expect(cancelled).toMatchObject({ total: 1, items: [{ id: dropped.id, status: "cancelled" }] });
    }
  });
});
