import { ASSESSMENT_MAX_WORDS, type SaveOnboardingInput } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signedInAs, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";

const t = await useTestApp();

type Person = Awaited<ReturnType<typeof signedInAs>>;
let learner: Person;
let otherLearner: Person;
let teacher: Person;
let strangerTeacher: Person;
let formerTeacher: Person;
let admin: Person;

/**
 * A session row between a teacher and a learner, inserted directly: the booking service is not
 * the rule under test here, only "has or had a non-cancelled session".
 */
let hour = 0;
async function sessionBetween(teacherId: string, learnerId: string, status: "booked" | "completed" | "cancelled") {
  hour += 2;
  const startsAt = new Date(Date.UTC(2030, 0, 1, hour));
  await t.db.insert(schema.tutoringSessions).values({
    teacherId,
    learnerId,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 60 * 60_000),
    durationMinutes: 60,
    status,
    hourlyRateMinor: 0,
    rateCurrency: "USD",
    creditOutcome: "none",
  });
}

beforeAll(async () => {
  [learner, otherLearner, teacher, strangerTeacher, formerTeacher, admin] = await Promise.all([
    signedInAs(t, "learner"),
    signedInAs(t, "learner"),
    signedInAs(t, "teacher"),
    signedInAs(t, "teacher"),
    signedInAs(t, "teacher"),
    signedInAs(t, "admin"),
  ]);
  await sessionBetween(teacher.user.id, learner.user.id, "completed");
  // A teacher whose only session with the learner was cancelled is not one of their teachers.
  await sessionBetween(formerTeacher.user.id, learner.user.id, "cancelled");
  // The stranger teaches someone else.
  await sessionBetween(strangerTeacher.user.id, otherLearner.user.id, "booked");
});

const answers: SaveOnboardingInput = {
  timezone: "Africa/Lagos",
  goals: "Pass IELTS with 7.0",
  level: "B1",
  skillPriorities: { speaking: 5, listening: 4, reading: 2, writing: 3, grammar: 1, vocabulary: 3 },
  availability: "Weekday evenings",
  preferredFormat: "exam_prep",
  notes: "Prefers British English",
};

const auditRows = (action: string) => t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));

describe("onboarding", () => {
  it("is saved by the learner, edited later, and its time zone becomes the profile's", async () => {
    expect(await learner.agent.trpc.tutoring.onboarding.get.query()).toBeNull();

    const saved = await learner.agent.trpc.tutoring.onboarding.save.mutate(answers);
    expect(saved).toMatchObject({ ...answers, learnerId: learner.user.id, reviewedAt: null, reviewedBy: null });
    expect(await learner.agent.trpc.account.me.query()).toMatchObject({ timezone: "Africa/Lagos" });

    const edited = await learner.agent.trpc.tutoring.onboarding.save.mutate({
      ...answers,
      timezone: "Europe/London",
      goals: "Conversation at work",
      skillPriorities: { ...answers.skillPriorities, grammar: 5 },
    });
    expect(edited).toMatchObject({ timezone: "Europe/London", goals: "Conversation at work" });
    expect(edited?.skillPriorities.grammar).toBe(5);
    expect(await learner.agent.trpc.tutoring.onboarding.get.query()).toEqual(edited);
    expect(await learner.agent.trpc.account.me.query()).toMatchObject({ timezone: "Europe/London" });
  });

  it("refuses an unknown time zone with a field error, changing neither answers nor profile", async () => {
    const before = await learner.agent.trpc.tutoring.onboarding.get.query();
    const error = await trpcError(
      learner.agent.trpc.tutoring.onboarding.save.mutate({ ...answers, timezone: "Mars/Olympus_Mons" }),
    );
    expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(error.issues).toMatchObject([{ path: ["timezone"], message: "Unknown time zone" }]);
    expect(await learner.agent.trpc.tutoring.onboarding.get.query()).toEqual(before);
    expect(await learner.agent.trpc.account.me.query()).toMatchObject({ timezone: before?.timezone });
  });

  it("refuses skill priorities outside 1–5 or a skill left out", async () => {
    for (const skillPriorities of [
      { ...answers.skillPriorities, speaking: 6 },
      { ...answers.skillPriorities, speaking: 0 },
      { ...answers.skillPriorities, speaking: 2.5 },
      { speaking: 3 },
    ]) {
      const error = await trpcError(
        learner.agent.trpc.tutoring.onboarding.save.mutate({
          ...answers,
          skillPriorities: skillPriorities as SaveOnboardingInput["skillPriorities"],
        }),
      );
      expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
  });

  it("is readable by the learner, their teacher and admins; 404 for anyone else", async () => {
    const input = { learnerId: learner.user.id };
    const own = await learner.agent.trpc.tutoring.onboarding.get.query();
    expect(own).not.toBeNull();
    for (const reader of [learner, teacher, admin]) {
      expect(await reader.agent.trpc.tutoring.onboarding.forLearner.query(input)).toEqual(own);
    }
    for (const outsider of [otherLearner, strangerTeacher, formerTeacher]) {
      const error = await trpcError(outsider.agent.trpc.tutoring.onboarding.forLearner.query(input));
      expect(error).toMatchObject({ status: 404, appCode: "LEARNER_NOT_FOUND" });
      expect(error.message).not.toContain(answers.availability);
    }
    // Not answered yet: the learner's teacher learns just that.
    await sessionBetween(teacher.user.id, otherLearner.user.id, "booked");
    expect(
      await teacher.agent.trpc.tutoring.onboarding.forLearner.query({ learnerId: otherLearner.user.id }),
    ).toBeNull();
  });

  it("is marked reviewed by the learner's teacher (audited), and a later edit asks for a new review", async () => {
    const input = { learnerId: learner.user.id };
    expect(await trpcError(strangerTeacher.agent.trpc.tutoring.onboarding.markReviewed.mutate(input))).toMatchObject({
      status: 404,
      appCode: "LEARNER_NOT_FOUND",
    });

    const reviewed = await teacher.agent.trpc.tutoring.onboarding.markReviewed.mutate(input);
    expect(reviewed).toMatchObject({ reviewedBy: { id: teacher.user.id }, reviewedAt: expect.any(Date) });
    // Marking again changes nothing.
    await admin.agent.trpc.tutoring.onboarding.markReviewed.mutate(input);
    expect((await learner.agent.trpc.tutoring.onboarding.get.query())?.reviewedBy?.id).toBe(teacher.user.id);
    const audit = (await auditRows("onboarding.review")).filter((r) => r.targetId === learner.user.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: teacher.user.id, before: { reviewedAt: null } });

    // Saving the same answers keeps the review; changing them clears it.
    const same = await learner.agent.trpc.tutoring.onboarding.get.query();
    if (!same) throw new Error("no answers");
    const { timezone, goals, level, skillPriorities, availability, preferredFormat, notes } = same;
    const resaved = await learner.agent.trpc.tutoring.onboarding.save.mutate({
      timezone,
      goals,
      level,
      skillPriorities,
      availability,
      preferredFormat,
      notes,
    });
    expect(resaved?.reviewedAt).not.toBeNull();
    const changed = await learner.agent.trpc.tutoring.onboarding.save.mutate({ ...answers, notes: "New notes" });
    expect(changed).toMatchObject({ reviewedAt: null, reviewedBy: null });
  });

  it("queues unreviewed answers first; teachers see only their learners, without email addresses", async () => {
    await otherLearner.agent.trpc.tutoring.onboarding.save.mutate({ ...answers, goals: "Other" });
    await admin.agent.trpc.tutoring.onboarding.markReviewed.mutate({ learnerId: otherLearner.user.id });

    const all = await admin.agent.trpc.tutoring.reviews.onboarding.query({});
    expect(all.items.map((i) => [i.learner.id, i.reviewedAt === null])).toEqual([
      [learner.user.id, true],
      [otherLearner.user.id, false],
    ]);
    expect(all.items[0]?.learner.email).toBe(learner.email);
    const unreviewed = await admin.agent.trpc.tutoring.reviews.onboarding.query({ reviewed: false });
    expect(unreviewed).toMatchObject({ total: 1, items: [{ learner: { id: learner.user.id } }] });

    const strangers = await strangerTeacher.agent.trpc.tutoring.reviews.onboarding.query({});
    expect(strangers.total).toBe(1);
    expect(strangers.items.map((i) => i.learner)).toEqual([
      { id: otherLearner.user.id, name: otherLearner.user.name, email: null },
    ]);
    expect((await formerTeacher.agent.trpc.tutoring.reviews.onboarding.query({})).total).toBe(0);
  });
});

/** n words, separated by a mix of whitespace (spaces, a line break, a tab): all of it separates words. */
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" \n\t ");

describe("writing assessment", () => {
  it("takes 1 to 600 words, counted on the server; outside that range it is a 400 with a field error", async () => {
    for (const text of ["", "   \n\t  ", words(ASSESSMENT_MAX_WORDS + 1)]) {
      const error = await trpcError(learner.agent.trpc.tutoring.assessment.submit.mutate({ text }));
      expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
      expect(error.issues).toMatchObject([{ path: ["text"], message: expect.stringMatching(/word/) }]);
    }
    const full = await learner.agent.trpc.tutoring.assessment.submit.mutate({ text: words(ASSESSMENT_MAX_WORDS) });
    expect(full).toMatchObject({ wordCount: ASSESSMENT_MAX_WORDS, status: "submitted", cefrLevel: null });
    const one = await learner.agent.trpc.tutoring.assessment.submit.mutate({ text: "  Hello  " });
    expect(one.wordCount).toBe(1);
    expect((await learner.agent.trpc.tutoring.assessment.mine.query()).map((a) => a.id)).toEqual([one.id, full.id]);
  });

  it("is reviewed once by the learner's teacher, and the learner sees the level and comments", async () => {
    const submitted = await learner.agent.trpc.tutoring.assessment.submit.mutate({ text: "My weekend was busy." });
    const review = { assessmentId: submitted.id, cefrLevel: "B2" as const, comments: "Good range; watch tenses." };

    const reviewed = await teacher.agent.trpc.tutoring.assessment.review.mutate(review);
    expect(reviewed).toMatchObject({
      status: "reviewed",
      cefrLevel: "B2",
      reviewComments: review.comments,
      reviewedBy: { id: teacher.user.id },
    });
    const mine = await learner.agent.trpc.tutoring.assessment.mine.query();
    expect(mine.find((a) => a.id === submitted.id)).toEqual(reviewed);
    expect(await learner.agent.trpc.tutoring.assessment.get.query({ assessmentId: submitted.id })).toEqual(reviewed);

    for (const again of [teacher, admin]) {
      const error = await trpcError(again.agent.trpc.tutoring.assessment.review.mutate({ ...review, cefrLevel: "C1" }));
      expect(error).toMatchObject({ status: 409, appCode: "ALREADY_REVIEWED" });
    }
    const audit = (await auditRows("assessment.review")).filter((r) => r.targetId === submitted.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: teacher.user.id, after: { cefrLevel: "B2" } });
  });

  it("is reviewed by an admin too", async () => {
    const submitted = await otherLearner.agent.trpc.tutoring.assessment.submit.mutate({ text: "I like tea." });
    const reviewed = await admin.agent.trpc.tutoring.assessment.review.mutate({
      assessmentId: submitted.id,
      cefrLevel: "A2",
      comments: "Simple but correct.",
    });
    expect(reviewed).toMatchObject({ status: "reviewed", cefrLevel: "A2", reviewedBy: { id: admin.user.id } });
  });

  it("is hidden from teachers who are not the learner's and from other learners (404)", async () => {
    const submitted = await learner.agent.trpc.tutoring.assessment.submit.mutate({ text: "Private words here." });
    const id = { assessmentId: submitted.id };
    for (const outsider of [strangerTeacher, formerTeacher]) {
      expect(
        await trpcError(
          outsider.agent.trpc.tutoring.assessment.review.mutate({ ...id, cefrLevel: "A1", comments: "x" }),
        ),
      ).toMatchObject({ status: 404, appCode: "ASSESSMENT_NOT_FOUND" });
      expect(await trpcError(outsider.agent.trpc.tutoring.assessment.get.query(id))).toMatchObject({
        status: 404,
        appCode: "ASSESSMENT_NOT_FOUND",
      });
    }
    expect(await trpcError(otherLearner.agent.trpc.tutoring.assessment.get.query(id))).toMatchObject({
      status: 404,
      appCode: "ASSESSMENT_NOT_FOUND",
    });
    expect(await teacher.agent.trpc.tutoring.assessment.get.query(id)).toMatchObject({ text: "Private words here." });
    const [row] = await t.db
      .select()
      .from(schema.writingAssessments)
      .where(eq(schema.writingAssessments.id, submitted.id));
    expect(row?.status).toBe("submitted");
  });

  it("refuses a level that is not CEFR, or no comments, with a 400", async () => {
    const submitted = await learner.agent.trpc.tutoring.assessment.submit.mutate({ text: "Short text." });
    for (const bad of [
      { cefrLevel: "D1", comments: "ok" },
      { cefrLevel: "b2", comments: "ok" },
      { cefrLevel: "B2", comments: "   " },
    ]) {
      const error = await trpcError(
        teacher.agent.trpc.tutoring.assessment.review.mutate({
          assessmentId: submitted.id,
          ...(bad as { cefrLevel: "B2"; comments: string }),
        }),
      );
      expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
    expect(
      await trpcError(
        admin.agent.trpc.tutoring.assessment.review.mutate({
          assessmentId: crypto.randomUUID(),
          cefrLevel: "B2",
          comments: "ok",
        }),
      ),
    ).toMatchObject({ status: 404, appCode: "ASSESSMENT_NOT_FOUND" });
  });

  it("queues submitted work first, oldest first; teachers see only their learners'", async () => {
    const queue = await admin.agent.trpc.tutoring.reviews.assessments.query({ pageSize: 100 });
    const statuses = queue.items.map((i) => i.status);
    expect(statuses).toEqual([...statuses].sort((a, b) => (a === b ? 0 : a === "submitted" ? -1 : 1)));
    const submitted = queue.items.filter((i) => i.status === "submitted");
    expect(submitted.map((i) => i.createdAt.getTime())).toEqual(
      submitted.map((i) => i.createdAt.getTime()).sort((a, b) => a - b),
    );
    expect(queue.items.find((i) => i.wordCount === ASSESSMENT_MAX_WORDS)?.excerpt.length).toBeLessThanOrEqual(201);

    const mineToReview = await teacher.agent.trpc.tutoring.reviews.assessments.query({ status: "submitted" });
    expect(mineToReview.items.every((i) => i.learner.id === learner.user.id && i.learner.email === null)).toBe(true);
    expect(mineToReview.total).toBe(
      (await learner.agent.trpc.tutoring.assessment.mine.query()).filter((a) => a.status === "submitted").length,
    );
    // The stranger teaches the other learner, whose one assessment an admin reviewed.
    expect(await strangerTeacher.agent.trpc.tutoring.reviews.assessments.query({ status: "submitted" })).toMatchObject({
      total: 0,
    });
    expect((await strangerTeacher.agent.trpc.tutoring.reviews.assessments.query({})).total).toBe(1);
  });
});
