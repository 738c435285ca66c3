import type { RouterOutputs } from "@lectern/api/router";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

/** A tutoring session as its viewer sees it, with the API's can* flags. */
export type SessionView = RouterOutputs["tutoring"]["sessions"]["get"];

/** A session as the lists (upcoming, past, cancelled) show it: `SessionView` without the deadlines. */
export type SessionSummary = RouterOutputs["tutoring"]["sessions"]["upcoming"]["items"][number];

/** The other person in a session, from the viewer's side. */
export const otherParty = (session: Pick<SessionSummary, "viewerRole" | "teacher" | "learner">) =>
  session.viewerRole === "teacher" ? session.learner : session.teacher;

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MINUTES_PER_DAY = 24 * 60;

/** The current time, renewed every `intervalMs`: for buttons that open and close with the clock. */
export function useNow(intervalMs = 10_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}

// Calendar arithmetic in an IANA time zone, with nothing but Intl. A "day key" is a local date,
// "YYYY-MM-DD", as the API's availability overrides spell it.

const partFormats = new Map<string, Intl.DateTimeFormat>();
function partsFormat(timeZone: string) {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partFormats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(instant: number, timeZone: string) {
  const parts = Object.fromEntries(
    partsFormat(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string) {
  const w = wallClock(instant, timeZone);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The local date of an instant in a zone, as "YYYY-MM-DD". */
export function dayKeyOf(instant: Date | number, timeZone: string): string {
  const w = wallClock(typeof instant === "number" ? instant : instant.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

const keyToUtcNoon = (key: string) => {
  const [y = 1970, m = 1, d = 1] = key.split("-").map(Number);
  return Date.UTC(y, m - 1, d, 12);
};

/** The local date `days` after another. */
export function addDaysToKey(key: string, days: number): string {
  return new Date(keyToUtcNoon(key) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant a local date begins in a zone (local midnight; later if a DST gap swallows it). */
export function startOfDay(key: string, timeZone: string): Date {
  const wall = keyToUtcNoon(key) - 12 * 60 * 60 * 1000;
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  return new Date(instant);
}

/** Sunday 0 … Saturday 6, as the API numbers weekdays. */
export const weekdayOfKey = (key: string) => new Date(keyToUtcNoon(key)).getUTCDay();

/** The weekday a week starts on in a language (Monday unless the browser knows better). */
export function firstDayOfWeek(language: string): number {
  try {
    const locale = new Intl.Locale(language) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = locale.getWeekInfo?.() ?? locale.weekInfo;
    // Intl numbers Monday 1 … Sunday 7.
    if (info) return info.firstDay % 7;
  } catch {
    // An unknown language tag: fall back to Monday.
  }
  return 1;
}

/**
 * Dates, times and lengths for the tutoring screens, in the UI language and the viewer's time zone.
 * Times are on a 24-hour clock ("09:00"), as slot grids and timetables conventionally are.
 */
export function useTimeFormat(timeZone: string) {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(() => {
    const inZone = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(language, { ...options, timeZone });
    const inUtc = (options: Intl.DateTimeFormatOptions) =>
      new Intl.DateTimeFormat(language, { ...options, timeZone: "UTC" });
    const time = inZone({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const day = inZone({ weekday: "short", day: "numeric", month: "short" });
    const dayLong = inZone({ weekday: "long", day: "numeric", month: "long", year: "numeric" });
    const dateTime = inZone({
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const dateTimeLong = inZone({
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const keyDay = inUtc({ weekday: "long", day: "numeric", month: "long" });
    const keyDate = inUtc({ weekday: "short", day: "numeric", month: "short", year: "numeric" });
    const weekdayName = inUtc({ weekday: "long" });
    const monthShort = inUtc({ month: "short" });
    const monthLong = inUtc({ month: "long", year: "numeric" });
    const twoDigits = new Intl.NumberFormat(language, { minimumIntegerDigits: 2, useGrouping: false });
    const hours = new Intl.NumberFormat(language, {
      style: "unit",
      unit: "hour",
      unitDisplay: "long",
      maximumFractionDigits: 1,
    });
    const range = (start: Date, end: Date) => {
      const formatter = time as Intl.DateTimeFormat & { formatRange?: (a: Date, b: Date) => string };
      return formatter.formatRange ? formatter.formatRange(start, end) : `${time.format(start)}–${time.format(end)}`;
    };
    const monthDate = (month: string) => {
      const [y = 1970, m = 1] = month.split("-").map(Number);
      return Date.UTC(y, m - 1, 15);
    };
    return {
      /** "09:00" */
      time: (value: Date) => time.format(value),
      /** "09:00–10:00" */
      timeRange: range,
      /** "Tue, 22 Jul" */
      day: (value: Date) => day.format(value),
      /** "Tuesday, 22 July 2025" */
      dayLong: (value: Date) => dayLong.format(value),
      /** "Tue, 22 Jul, 09:00" */
      dateTime: (value: Date) => dateTime.format(value),
      /** "Tuesday, 22 July 2025 at 09:00" */
      dateTimeLong: (value: Date) => dateTimeLong.format(value),
      /** A local date key as "Tuesday, 22 July". */
      dayOfKey: (key: string) => keyDay.format(keyToUtcNoon(key)),
      /** A local date key as "Tue, 22 Jul 2025". */
      dateOfKey: (key: string) => keyDate.format(keyToUtcNoon(key)),
      /** Sunday 0 … Saturday 6 as "Monday". 7 January 2024 was a Sunday. */
      weekday: (weekday: number) => weekdayName.format(Date.UTC(2024, 0, 7 + weekday, 12)),
      /** "2025-07" as "Jul" */
      monthShort: (month: string) => monthShort.format(monthDate(month)),
      /** "2025-07" as "July 2025" */
      monthLong: (month: string) => monthLong.format(monthDate(month)),
      /** A minute of the day (0–1440) as "09:30"; 1440 is "24:00", the end of the day. */
      minuteOfDay: (minute: number) => `${twoDigits.format(Math.floor(minute / 60))}:${twoDigits.format(minute % 60)}`,
      /** Minutes as hours: "1.5 hours" */
      hours: (minutes: number) => hours.format(minutes / 60),
    };
  }, [language, timeZone]);
}
