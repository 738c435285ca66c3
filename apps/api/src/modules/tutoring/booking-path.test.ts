import pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "./testing.ts";

const t = await useTestApp();

/** The statements Postgres receives while `run` goes (observed on the real client, not mocked). */
async function statementsDuring(run: () => Promise<unknown>) {
  const seen: string[] = [];
  const query = pg.Client.prototype.query;
  const counting = function (this: pg.Client, ...args: Parameters<typeof query>) {
    const [q] = args as unknown[];
    seen.push(
      String(typeof q === "string" ? q : (q as { text?: string })?.text)
        .replace(/\s+/g, " ")
        .slice(0, 80),
    );
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  };
  pg.Client.prototype.query = counting as typeof query;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = query;
  }
  return seen;
}

describe("the booking path", () => {
  it("is at most 11 round trips to Postgres (session, rate limit, teacher with calendar, the transaction's 7, commit), emails left to a job", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner");
    await grantCredits(t, learner.user.id, 3);
    // The first booking also opens the learner's held-credit account.
    await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt: slotIn(30) });
    const startsAt = slotIn(40);
    let view: Awaited<ReturnType<typeof learner.agent.trpc.tutoring.sessions.book.mutate>> | undefined;
    const statements = await statementsDuring(async () => {
      view = await learner.agent.trpc.tutoring.sessions.book.mutate({ teacherId: teacher.user.id, startsAt });
    });
    expect(statements.length, statements.join("\n")).toBeLessThanOrEqual(11);
    expect(statements.filter((s) => /email_outbox/.test(s))).toEqual([]);
    // The response is still the learner's full view of the session, built without reading it back.
    expect(view).toMatchObject({
      startsAt,
      status: "booked",
      credits: 1,
      viewerRole: "learner",
      teacher: { id: teacher.user.id, name: teacher.user.name },
      learner: { id: learner.user.id, name: learner.user.name },
      learnerOnboarding: null,
    });
    expect(await learner.agent.trpc.tutoring.sessions.get.query({ sessionId: view?.id ?? "" })).toEqual(view);
  });
});
