// Demo tutoring data for `pnpm dev` / `pnpm db:seed`: packs, teacher profiles, rates and hours,
// learners with credits, and past (reported, rated) and upcoming sessions — all made through the
// same services the apps call, with the clock moved back for the history.
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { asc, count, inArray } from "drizzle-orm";
import { setWeeklyAvailability } from "./modules/tutoring/availability.ts";
import { createPack, grantPack } from "./modules/tutoring/credits.ts";
import { teacherSlots, updateTeacherProfile } from "./modules/tutoring/directory.ts";
import { setTeacherRate } from "./modules/tutoring/payroll.ts";
import { bookSession, rateSession, reportSession } from "./modules/tutoring/sessions.ts";

const DAY = 24 * 60 * 60 * 1000;

const PACKS = [
  { name: "Starter", sessions: 4, prices: { USD: 9_900, GBP: 8_500, EUR: 9_500, NGN: 4_500_000, EGP: 490_000 } },
  { name: "Regular", sessions: 12, prices: { USD: 27_900, GBP: 23_900, EUR: 26_900, NGN: 12_500_000, EGP: 1_390_000 } },
  {
    name: "Intensive",
    sessions: 24,
    prices: { USD: 52_900, GBP: 45_900, EUR: 49_900, NGN: 23_500_000, EGP: 2_590_000 },
  },
  {
    name: "Immersion",
    sessions: 48,
    prices: { USD: 99_900, GBP: 85_900, EUR: 94_900, NGN: 44_900_000, EGP: 4_890_000 },
  },
];

const TEACHING = [
  {
    bio: "Conversation-first English for work and travel.",
    subjects: ["English", "Business English"],
    languages: ["English"],
    rate: { hourlyRateMinor: 2_500, rateCurrency: "USD" as const },
  },
  {
    bio: "العربية الفصحى واللهجة الخليجية للمبتدئين والمتقدمين.",
    subjects: ["Arabic", "Quran recitation"],
    languages: ["Arabic", "English"],
    rate: { hourlyRateMinor: 2_000, rateCurrency: "GBP" as const },
  },
  {
    bio: "IELTS and academic writing, with lots of feedback.",
    subjects: ["English", "IELTS", "Writing"],
    languages: ["English", "Igbo"],
    rate: { hourlyRateMinor: 1_500_000, rateCurrency: "NGN" as const },
  },
];

// Monday–Friday 09:00–17:00 and Saturday 10:00–13:00, in each teacher's own time zone.
const WEEKLY_HOURS = [
  ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 17 * 60 })),
  { weekday: 6, startMinute: 10 * 60, endMinute: 13 * 60 },
];

/** Loads the demo tutoring world once; later runs change nothing (packs mark it as done). */
export async function seedDemoTutoring(db: Db, now = new Date()): Promise<{ seeded: boolean }> {
  const [packs] = await db.select({ n: count() }).from(schema.creditPacks);
  if ((packs?.n ?? 0) > 0) return { seeded: false };

  const people = await db
    .select({ id: schema.users.id, role: schema.users.role, name: schema.users.name })
    .from(schema.users)
    .where(inArray(schema.users.role, ["admin", "teacher", "learner"]))
    .orderBy(asc(schema.users.email));
  const admin = people.find((p) => p.role === "admin");
  const teachers = people.filter((p) => p.role === "teacher");
  const learners = people.filter((p) => p.role === "learner");
  if (!admin || teachers.length === 0 || learners.length === 0) return { seeded: false };
  const adminActor = { id: admin.id, ip: null };

  const created = [];
  for (const pack of PACKS)
    created.push(await createPack(db, adminActor, { ...pack, sessionMinutes: 60, validityDays: 90 }));
  const regular = created[1];
  if (!regular) throw new Error("demo pack missing");

  for (const [i, teacher] of teachers.entries()) {
    const teaching = TEACHING[i % TEACHING.length] ?? TEACHING[0];
    if (!teaching) continue;
    await updateTeacherProfile(db, teacher.id, {
      bio: teaching.bio,
      subjects: teaching.subjects,
      languages: teaching.languages,
      defaultMeetingUrl: `https://meet.lectern.local/${teacher.name.toLowerCase().replace(/\W+/g, "-")}`,
    });
    await setTeacherRate(db, adminActor, { teacherId: teacher.id, ...teaching.rate });
    await setWeeklyAvailability(db, teacher.id, WEEKLY_HOURS);
  }

  for (const [i, learner] of learners.entries()) {
    await grantPack(db, adminActor, { learnerId: learner.id, packId: regular.id });
    const teacher = teachers[i % teachers.length];
    if (!teacher) continue;
    const asLearner = { id: learner.id, role: "learner" as const };
    const asTeacher = { id: teacher.id, role: "teacher" as const };
    // Two finished sessions, three and one weeks ago, reported and rated.
    for (const weeksAgo of [3, 1]) {
      const bookedAt = new Date(now.getTime() - weeksAgo * 7 * DAY - 2 * DAY);
      const startsAt = await nthFreeSlot(db, learner.id, teacher.id, bookedAt, i);
      if (!startsAt) continue;
      const session = await bookSession(
        db,
        asLearner,
        { teacherId: teacher.id, startsAt, durationMinutes: 60 },
        { now: bookedAt },
      );
      const after = { now: new Date(session.endsAt.getTime() + 10 * 60 * 1000) };
      await reportSession(
        db,
        asTeacher,
        {
          sessionId: session.id,
          message: "Great progress today.",
          comments: "Keep an eye on past tenses.",
          nextSteps: "Read one short article and summarise it.",
        },
        after,
      );
      await rateSession(
        db,
        asLearner,
        { sessionId: session.id, rating: 4 + (weeksAgo % 2), comment: "Clear and friendly." },
        after,
      );
    }
    // One upcoming session.
    const startsAt = await nthFreeSlot(db, learner.id, teacher.id, now, i * 2);
    if (startsAt) await bookSession(db, asLearner, { teacherId: teacher.id, startsAt, durationMinutes: 60 }, { now });
  }
  return { seeded: true };
}

/** A free slot of the teacher for this learner, a day or more after `now` (spread out by `n`). */
async function nthFreeSlot(db: Db, learnerId: string, teacherId: string, now: Date, n: number) {
  const from = new Date(now.getTime() + DAY);
  const { slots } = await teacherSlots(
    db,
    learnerId,
    { teacherId, from, to: new Date(from.getTime() + 14 * DAY), durationMinutes: 60 },
    now,
  );
  return slots[Math.min(n * 3, slots.length - 1)] ?? null;
}
