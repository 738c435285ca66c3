import { SessionPageOutput } from "@lectern/api-contract";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "./testing.ts";

const t = await useTestApp();

const _HOUR = 60 * 60 * 1000;

describe("session lists", () => {
  it("gives the pager the exact total on every page, whether or not the page is full", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 10);
    const booked = [];
    for (let i = 0; i < 5; i++)
      booked.push(
        await learner.agent.trpc.tutoring.sessions.book.mutate({
          teacherId: teacher.user.id,
          startsAt: slotIn(48 + 2 * i),
          durationMinutes: 60,
        }),
      );
    await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: booked[4]?.id ?? "" });

    const upcoming = (page: number, pageSize: number) =>
      learner.agent.trpc.tutoring.sessions.upcoming.query({ page, pageSize });
    const pages = await Promise.all([upcoming(1, 2), upcoming(2, 2), upcoming(3, 2), upcoming(1, 20), upcoming(9, 2)]);
    expect(pages.map((p) => [p.items.length, p.total])).toEqual([
      [2, 4],
      [2, 4],
      [0, 4],
      [4, 4],
      [0, 4],
    ]);
    // Soonest first, each session once across the pages.
    expect([...(pages[0]?.items ?? []), ...(pages[1]?.items ?? [])].map((s) => s.id)).toEqual(
      booked.slice(0, 4).map((s) => s.id),
    );
    expect(await upcoming(2, 3)).toMatchObject({ total: 4, items: [{ id: booked[3]?.id }] });

    // The teacher sees the same sessions; the other lists count their own.
    expect(await teacher.agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 3 })).toMatchObject({
      total: 4,
    });
    expect(await learner.agent.trpc.tutoring.sessions.cancelled.query({ page: 1, pageSize: 1 })).toMatchObject({
      total: 1,
      items: [{ id: booked[4]?.id, status: "cancelled" }],
    });
    expect(await learner.agent.trpc.tutoring.sessions.past.query({ page: 1, pageSize: 20 })).toEqual(
      expect.objectContaining({ total: 0, items: [] }),
    );
    const stranger = await person(t, "learner");
    expect(await stranger.agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 })).toMatchObject({
      total: 0,
      items: [],
    });
  });

  // The lists' outputs are not checked at run time (documentedOutput in trpc.ts): this is their check.
  it("answers in exactly the output schema's shape, with every Date arriving as a Date", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 3);
    const booked = [];
    for (let i = 0; i < 3; i++)
      booked.push(
        await learner.agent.trpc.tutoring.sessions.book.mutate({
          teacherId: teacher.user.id,
          startsAt: slotIn(48 + 2 * i),
          durationMinutes: 60,
        }),
      );
    await learner.agent.trpc.tutoring.sessions.cancel.mutate({ sessionId: booked[2]?.id ?? "" });

    const pages = [
      await learner.agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 }),
      await teacher.agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 }),
      await learner.agent.trpc.tutoring.sessions.cancelled.query({ page: 1, pageSize: 20 }),
      await teacher.agent.trpc.tutoring.sessions.past.query({ page: 1, pageSize: 20 }),
    ];
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1, 0]);
    // parse drops keys outside the schema and refuses a Date sent as a string.
    for (const page of pages) expect(SessionPageOutput.parse(page)).toEqual(page);
    const [first] = pages[0]?.items ?? [];
    expect(first?.startsAt).toEqual(booked[0]?.startsAt);
    expect(pages[2]?.items[0]?.cancelledAt).toBeInstanceOf(Date);
    // A row is its session's whole view (sessions.get) cut to the row's fields: one set of rules decides both.
    const viewers = [learner, teacher, learner];
    for (const [i, page] of pages.slice(0, 3).entries())
      for (const item of page.items) {
        const whole = await viewers[i]?.agent.trpc.tutoring.sessions.get.query({ sessionId: item.id });
        expect(Object.keys(whole ?? {})).toEqual(expect.arrayContaining(Object.keys(item)));
        expect(item).toEqual(Object.fromEntries(Object.keys(item).map((k) => [k, whole?.[k as keyof typeof whole]])));
      }
  });
});
