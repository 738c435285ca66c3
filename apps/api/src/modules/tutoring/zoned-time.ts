/**
 * Wall-clock time in an IANA time zone ↔ UTC instants, with nothing but Intl.DateTimeFormat.
 *
 * A "local date" is "YYYY-MM-DD" in the zone; a "wall time" is milliseconds of a local date and time
 * read as if it were UTC (so plain arithmetic on dates and minutes works). Converting a wall time to
 * an instant uses the zone's offset on either side of any change that day: a time that happens twice
 * (clocks going back) is the earlier instant, and a time that never happens (clocks going forward)
 * is moved forward by the size of the gap, like Temporal's "compatible" disambiguation.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const HOUR_MS = 60 * MINUTE_MS;
/** Past this many hours remembered for one zone, its memory starts over. */
const MAX_HOURS_PER_ZONE = 100_000;
/**
 * Per zone, per UTC hour: the offset when it is the same at the hour's start and the next hour's
 * (no change of offset within: zones change at most once in months), or null when it changes.
 */
const hourOffsets = new Map<string, Map<number, number | null>>();

/**
 * The zone's offset from UTC at an instant, in ms (wall time = instant + offset). Asking Intl costs
 * microseconds and one availability check asks hundreds of times for the same few hours, so each
 * hour's offset is remembered; an hour in which the offset changes is asked about each time.
 */
export function offsetAt(instant: number, timeZone: string): number {
  const hour = Math.floor(instant / HOUR_MS);
  let zone = hourOffsets.get(timeZone);
  if (!zone || zone.size >= MAX_HOURS_PER_ZONE) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  let known = zone.get(hour);
  if (known === undefined) {
    const start = exactOffsetAt(hour * HOUR_MS, timeZone);
    known = start === exactOffsetAt((hour + 1) * HOUR_MS, timeZone) ? start : null;
    zone.set(hour, known);
  }
  return known ?? exactOffsetAt(instant, timeZone);
}

/** The offset as Intl's formatter reads it at the instant's whole second. */
function exactOffsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(whole))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
  return wall - whole;
}

/** The wall time of an instant in the zone. */
export function toWall(instant: number, timeZone: string): number {
  return instant + offsetAt(instant, timeZone);
}

/** The instant at which the zone's clocks show this wall time (see the module note for gaps and repeats). */
export function fromWall(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  const earlyValid = toWall(early, timeZone) === wall;
  const lateValid = toWall(late, timeZone) === wall;
  if (earlyValid) return early;
  if (lateValid) return late;
  // In the gap when clocks go forward: keep the offset from before the change.
  return wall - before;
}

/** The local date of an instant in the zone, "YYYY-MM-DD". */
export function localDateOf(instant: number, timeZone: string): string {
  return new Date(toWall(instant, timeZone)).toISOString().slice(0, 10);
}

/** Midnight of a local date as a wall time. */
export function wallOfDate(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${date}`);
  return ms;
}

export function addDays(date: string, days: number): string {
  return new Date(wallOfDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as in availability_rules.weekday. */
export function weekdayOf(date: string): number {
  return new Date(wallOfDate(date)).getUTCDay();
}

/** The instant of a local date and minute of the day (0–1440) in the zone. */
export function zonedInstant(date: string, minuteOfDay: number, timeZone: string): Date {
  return new Date(fromWall(wallOfDate(date) + minuteOfDay * MINUTE_MS, timeZone));
}

/** Minutes since local midnight of an instant in the zone (0–1439). */
export function minuteOfDay(instant: number, timeZone: string): number {
  const wall = toWall(instant, timeZone);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}
