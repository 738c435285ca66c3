import type { AddAvailabilityOverrideInput, AvailabilityRuleInput } from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, asc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import type { TeacherCalendar } from "./slots.ts";
import { addDays, localDateOf } from "./zoned-time.ts";

const { availabilityRules, availabilityOverrides, users } = schema;

/** Calendars (time zone, weekly hours, overrides) of some teachers around a UTC range, by teacher id. */
export async function loadCalendars(
  db: DbOrTx,
  teacherIds: string[],
  from: number,
  to: number,
): Promise<Map<string, TeacherCalendar>> {
  const calendars = new Map<string, TeacherCalendar>();
  if (teacherIds.length === 0) return calendars;
  const [firstDate, lastDate] = calendarDates(from, to);
  // One query after another: `db` may be a transaction, whose one connection runs one at a time.
  const zones = await db
    .select({ id: users.id, timezone: users.timezone })
    .from(users)
    .where(inArray(users.id, teacherIds));
  const rules = await db
    .select({
      teacherId: availabilityRules.teacherId,
      weekday: availabilityRules.weekday,
      startMinute: availabilityRules.startMinute,
      endMinute: availabilityRules.endMinute,
    })
    .from(availabilityRules)
    .where(inArray(availabilityRules.teacherId, teacherIds));
  const overrides = await db
    .select({
      teacherId: availabilityOverrides.teacherId,
      date: availabilityOverrides.date,
      kind: availabilityOverrides.kind,
      startMinute: availabilityOverrides.startMinute,
      endMinute: availabilityOverrides.endMinute,
    })
    .from(availabilityOverrides)
    .where(
      and(
        inArray(availabilityOverrides.teacherId, teacherIds),
        gte(availabilityOverrides.date, firstDate),
        lte(availabilityOverrides.date, lastDate),
      ),
    );
  for (const z of zones) calendars.set(z.id, { timezone: z.timezone, rules: [], overrides: [] });
  for (const { teacherId, ...rule } of rules) calendars.get(teacherId)?.rules.push(rule);
  for (const { teacherId, ...override } of overrides) calendars.get(teacherId)?.overrides.push(override);
  return calendars;
}

/** The local dates whose overrides decide availability around a UTC range (a local date is at most a day from the UTC one). */
export function calendarDates(from: number, to: number): [string, string] {
  return [addDays(localDateOf(from, "UTC"), -2), addDays(localDateOf(to, "UTC"), 2)];
}

export async function loadCalendar(db: DbOrTx, teacherId: string, from: number, to: number) {
  const calendar = (await loadCalendars(db, [teacherId], from, to)).get(teacherId);
  if (!calendar) throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
  return calendar;
}

/** The teacher's weekly hours and their overrides from yesterday (local) on. */
export async function getAvailability(db: Db, teacherId: string, now = new Date()) {
  const [user] = await db.select({ timezone: users.timezone }).from(users).where(eq(users.id, teacherId));
  const timezone = user?.timezone ?? "UTC";
  const since = addDays(localDateOf(now.getTime(), timezone), -1);
  const [rules, overrides] = await Promise.all([
    db
      .select({
        id: availabilityRules.id,
        weekday: availabilityRules.weekday,
        startMinute: availabilityRules.startMinute,
        endMinute: availabilityRules.endMinute,
      })
      .from(availabilityRules)
      .where(eq(availabilityRules.teacherId, teacherId))
      .orderBy(asc(availabilityRules.weekday), asc(availabilityRules.startMinute)),
    db
      .select({
        id: availabilityOverrides.id,
        date: availabilityOverrides.date,
        kind: availabilityOverrides.kind,
        startMinute: availabilityOverrides.startMinute,
        endMinute: availabilityOverrides.endMinute,
      })
      .from(availabilityOverrides)
      .where(and(eq(availabilityOverrides.teacherId, teacherId), gte(availabilityOverrides.date, since)))
      .orderBy(asc(availabilityOverrides.date), asc(availabilityOverrides.startMinute)),
  ]);
  return { timezone, rules, overrides };
}

/** Serializes changes to one teacher's availability (two editors never interleave delete and insert). */
async function lockAvailability(tx: DbOrTx, teacherId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`availability:${teacherId}`}, 0))`);
}

/**
 * Replaces all weekly hours at once. Overlapping hours on one weekday are refused by the database
 * (AVAILABILITY_OVERLAP) and the old hours stay as they were.
 */
export async function setWeeklyAvailability(db: Db, teacherId: string, rules: AvailabilityRuleInput[]) {
  await db.transaction(async (tx) => {
    await lockAvailability(tx, teacherId);
    await tx.delete(availabilityRules).where(eq(availabilityRules.teacherId, teacherId));
    if (rules.length > 0) await tx.insert(availabilityRules).values(rules.map((r) => ({ ...r, teacherId })));
  });
  return getAvailability(db, teacherId);
}

/**
 * Adds time off or extra hours on one local date. A date before today in the teacher's zone is
 * refused: it could change nothing, and the list (from yesterday on) would never show it.
 */
export async function addOverride(db: Db, teacherId: string, input: AddAvailabilityOverrideInput, now = new Date()) {
  const [row] = await db.transaction(async (tx) => {
    const [teacher] = await tx.select({ timezone: users.timezone }).from(users).where(eq(users.id, teacherId));
    if (input.date < localDateOf(now.getTime(), teacher?.timezone ?? "UTC"))
      throw new AppError("DATE_IN_PAST", "That date has already passed");
    await lockAvailability(tx, teacherId);
    return tx
      .insert(availabilityOverrides)
      .values({ teacherId, ...input })
      .returning({
        id: availabilityOverrides.id,
        date: availabilityOverrides.date,
        kind: availabilityOverrides.kind,
        startMinute: availabilityOverrides.startMinute,
        endMinute: availabilityOverrides.endMinute,
      });
  });
  if (!row) throw new Error("override insert returned nothing");
  return row;
}

export async function removeOverride(db: Db, teacherId: string, overrideId: string) {
  const deleted = await db
    .delete(availabilityOverrides)
    .where(and(eq(availabilityOverrides.id, overrideId), eq(availabilityOverrides.teacherId, teacherId)))
    .returning({ id: availabilityOverrides.id });
  if (deleted.length === 0) throw new AppError("NOT_FOUND", "No such date change");
  return { removed: true as const };
}
