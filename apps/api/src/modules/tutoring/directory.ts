import {
  type TeacherDirectoryInput,
  type TeacherSlotsInput,
  TUTORING_POLICY,
  type UpdateTeacherProfileInput,
} from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, asc, count, eq, gt, ilike, inArray, lt, ne, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import { loadCalendar, loadCalendars } from "./availability.ts";
import { bookingWindow, freeSlots, type Interval, nextFreeSlot } from "./slots.ts";

const { users, teacherProfiles, tutoringSessions: S } = schema;

/** A bookable teacher: role teacher and not disabled. */
const isBookableTeacher = and(eq(users.role, "teacher"), eq(users.banned, false));

const tagMatches = (column: SQLWrapper, value: string) =>
  sql`exists (select 1 from unnest(${column}) as tag where lower(tag) = lower(${value}))`;

// Kept on the profile by the rating transaction (rateSession), not aggregated per teacher here.
const ratingAverage = sql<number | null>`round(${teacherProfiles.ratingSum}::numeric
  / nullif(${teacherProfiles.ratingCount}, 0), 2)::float8`;
const ratingCount = sql<number>`coalesce(${teacherProfiles.ratingCount}, 0)`;

const publicColumns = {
  id: users.id,
  name: users.name,
  image: users.image,
  timezone: users.timezone,
  bio: sql<string>`coalesce(${teacherProfiles.bio}, '')`,
  subjects: sql<string[]>`coalesce(${teacherProfiles.subjects}, '{}'::text[])`,
  languages: sql<string[]>`coalesce(${teacherProfiles.languages}, '{}'::text[])`,
  averageRating: ratingAverage,
  ratingsCount: ratingCount,
};

/** Non-cancelled sessions of these users (as teacher or learner) overlapping a range, by user id. */
async function busyTimes(db: DbOrTx, userIds: string[], range: Interval) {
  const busy = new Map<string, Interval[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return busy;
  const rows = await db
    .select({ teacherId: S.teacherId, learnerId: S.learnerId, startsAt: S.startsAt, endsAt: S.endsAt })
    .from(S)
    .where(
      and(
        or(inArray(S.teacherId, userIds), inArray(S.learnerId, userIds)),
        ne(S.status, "cancelled"),
        lt(S.startsAt, new Date(range.end)),
        gt(S.endsAt, new Date(range.start)),
      ),
    );
  for (const r of rows) {
    const interval = { start: r.startsAt.getTime(), end: r.endsAt.getTime() };
    busy.get(r.teacherId)?.push(interval);
    busy.get(r.learnerId)?.push(interval);
  }
  return busy;
}

/**
 * The teacher directory: name, bio, subjects, languages, average rating and the next free slot of
 * the default length. Slots are computed for the page's teachers only, with one query per kind of row.
 */
export async function listTeachers(db: Db, input: TeacherDirectoryInput, now = new Date()) {
  const filters: (SQL | undefined)[] = [isBookableTeacher];
  if (input.query) {
    const pattern = containsPattern(input.query);
    filters.push(
      or(
        ilike(users.name, pattern),
        ilike(teacherProfiles.bio, pattern),
        sql`array_to_string(${teacherProfiles.subjects}, ' ') ilike ${pattern}`,
        sql`array_to_string(${teacherProfiles.languages}, ' ') ilike ${pattern}`,
      ),
    );
  }
  if (input.subject) filters.push(tagMatches(teacherProfiles.subjects, input.subject));
  if (input.language) filters.push(tagMatches(teacherProfiles.languages, input.language));
  const where = and(...filters);
  const offset = (input.page - 1) * input.pageSize;
  const rows = await db
    .select(publicColumns)
    .from(users)
    .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
    .where(where)
    .orderBy(asc(users.name), asc(users.id))
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(rows.length, input.pageSize, offset, async () => {
    const [counted] = await db
      .select({ value: count() })
      .from(users)
      .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
      .where(where);
    return counted?.value ?? 0;
  });
  const next = await nextFreeSlots(
    db,
    rows.map((r) => r.id),
    now,
  );
  const items = rows.map((r) => ({ ...r, nextFreeSlot: next.get(r.id) ?? null }));
  return { items, total, page: input.page, pageSize: input.pageSize };
}

async function nextFreeSlots(db: Db, teacherIds: string[], now: Date) {
  const window = bookingWindow(now);
  const [calendars, busy] = await Promise.all([
    loadCalendars(db, teacherIds, window.start, window.end),
    busyTimes(db, teacherIds, window),
  ]);
  const next = new Map<string, Date | null>();
  for (const id of teacherIds) {
    const calendar = calendars.get(id);
    const slot = calendar
      ? nextFreeSlot({
          calendar,
          busy: busy.get(id) ?? [],
          durationMinutes: TUTORING_POLICY.defaultSessionMinutes,
          from: window.start,
          to: window.end,
        })
      : null;
    next.set(id, slot === null ? null : new Date(slot));
  }
  return next;
}

export async function getTeacher(db: Db, teacherId: string, now = new Date()) {
  const [row] = await db
    .select(publicColumns)
    .from(users)
    .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
    .where(and(eq(users.id, teacherId), isBookableTeacher));
  if (!row) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
  const next = await nextFreeSlots(db, [teacherId], now);
  return { ...row, nextFreeSlot: next.get(teacherId) ?? null };
}

/**
 * Free slot starts of a teacher in [from, to), clipped to the booking window. When a learner asks,
 * their own sessions count as busy too, so every slot shown can be booked.
 */
export async function teacherSlots(db: Db, viewerId: string, input: TeacherSlotsInput, now = new Date()) {
  const [teacher] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, input.teacherId), isBookableTeacher));
  if (!teacher) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
  const window = bookingWindow(now);
  const from = Math.max(input.from.getTime(), window.start);
  const to = Math.min(input.to.getTime(), window.end);
  const calendar = await loadCalendar(db, input.teacherId, from, to);
  const range = { start: from, end: to + input.durationMinutes * 60_000 };
  const busy = await busyTimes(db, [input.teacherId, viewerId], range);
  const slots = freeSlots({
    calendar,
    busy: [...(busy.get(input.teacherId) ?? []), ...(viewerId === input.teacherId ? [] : (busy.get(viewerId) ?? []))],
    durationMinutes: input.durationMinutes,
    from,
    to,
  });
  return {
    teacherTimezone: calendar.timezone,
    durationMinutes: input.durationMinutes,
    slots: slots.map((s) => new Date(s)),
  };
}

/** The teacher's own profile (the hourly rate is shown, but only an admin sets it). */
export async function getTeacherProfile(db: DbOrTx, teacherId: string) {
  const [row] = await db
    .select({
      userId: users.id,
      name: users.name,
      timezone: users.timezone,
      bio: teacherProfiles.bio,
      subjects: teacherProfiles.subjects,
      languages: teacherProfiles.languages,
      defaultMeetingUrl: teacherProfiles.defaultMeetingUrl,
      hourlyRateMinor: teacherProfiles.hourlyRateMinor,
      rateCurrency: teacherProfiles.rateCurrency,
    })
    .from(users)
    .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
    .where(eq(users.id, teacherId));
  if (!row) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
  return {
    userId: row.userId,
    name: row.name,
    timezone: row.timezone,
    bio: row.bio ?? "",
    subjects: row.subjects ?? [],
    languages: row.languages ?? [],
    defaultMeetingUrl: row.defaultMeetingUrl ?? null,
    hourlyRateMinor: row.hourlyRateMinor ?? 0,
    rateCurrency: row.rateCurrency ?? "USD",
  };
}

/** The teacher edits their public fields; the row is created on the first edit. */
export async function updateTeacherProfile(db: Db, teacherId: string, input: UpdateTeacherProfileInput) {
  const fields = {
    bio: input.bio,
    subjects: dedupe(input.subjects),
    languages: dedupe(input.languages),
    defaultMeetingUrl: input.defaultMeetingUrl,
  };
  await db
    .insert(teacherProfiles)
    .values({ userId: teacherId, ...fields })
    .onConflictDoUpdate({ target: teacherProfiles.userId, set: { ...fields, updatedAt: new Date() } });
  return getTeacherProfile(db, teacherId);
}

/** Tags compare case-insensitively; the first spelling wins. */
function dedupe(tags: string[]) {
  const seen = new Set<string>();
  return tags.filter((t) => {
    const key = t.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
