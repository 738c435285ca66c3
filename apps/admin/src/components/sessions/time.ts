import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";

dayjs.extend(utc);
dayjs.extend(timezone);

/** How the date pickers hold a moment: a wall-clock time, with no zone of its own. */
const WALL_CLOCK = "YYYY-MM-DD HH:mm:ss";
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The instant a picker's wall-clock value names in the admin's time zone ("2026-07-10 09:30:00"
 * in Europe/London is 08:30 UTC), whatever zone the browser itself is in.
 */
export const fromWallClock = (value: string, timeZone: string | undefined) => dayjs.tz(value, timeZone).toDate();

/** The wall-clock value a picker shows for an instant, in the admin's time zone. */
export const toWallClock = (instant: Date, timeZone: string | undefined) =>
  dayjs(instant).tz(timeZone).format(WALL_CLOCK);

/** Today's calendar day in the admin's time zone. */
export const todayIn = (timeZone: string | undefined) => dayjs().tz(timeZone).format("YYYY-MM-DD");

/** A calendar day as the URL and the pickers hold it, or null when it is not one. */
export const readDay = (value: string | null) =>
  value && DAY.test(value) && dayjs(value).format("YYYY-MM-DD") === value ? value : null;

/** The first instant of a calendar day in the admin's time zone. */
export const startOfDay = (day: string, timeZone: string | undefined) => dayjs.tz(day, timeZone).toDate();

/** The first instant of the day after, so that a range of days can end there (excluded). */
export const startOfNextDay = (day: string, timeZone: string | undefined) =>
  dayjs.tz(dayjs(day).add(1, "day").format("YYYY-MM-DD"), timeZone).toDate();

/** The calendar day of a picker's value (a "YYYY-MM-DD…" string or a Date), as the URL holds it. */
export const dayOf = (value: string | Date) => dayjs(value).format("YYYY-MM-DD");
