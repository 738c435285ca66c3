import { TUTORING_POLICY } from "@lectern/api-contract";
import { addDays, DAY_MS, localDateOf, MINUTE_MS, offsetAt, weekdayOf, zonedInstant } from "./zoned-time.ts";

/**
 * Pure slot arithmetic: a teacher's weekly hours and date overrides (in their own time zone) become
 * UTC intervals, and free slot starts are cut from them. No database here, so it is easy to test.
 */

export interface WeeklyRule {
  weekday: number;
  startMinute: number;
  endMinute: number;
}

export interface DateOverride {
  date: string;
  kind: "off" | "extra";
  startMinute: number;
  endMinute: number;
}

export interface TeacherCalendar {
  timezone: string;
  rules: WeeklyRule[];
  overrides: DateOverride[];
}

/** A half-open UTC interval [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

type MinuteRange = [number, number];

function union(ranges: MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: MinuteRange[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function subtract(ranges: MinuteRange[], cuts: MinuteRange[]): MinuteRange[] {
  let out = ranges;
  for (const [cs, ce] of cuts) {
    const next: MinuteRange[] = [];
    for (const [s, e] of out) {
      if (ce <= s || cs >= e) next.push([s, e]);
      else {
        if (s < cs) next.push([s, cs]);
        if (ce < e) next.push([ce, e]);
      }
    }
    out = next;
  }
  return out;
}

/** The local minutes a teacher is available on one local date: weekly hours − time off + extra hours. */
export function minutesOn(calendar: TeacherCalendar, date: string): MinuteRange[] {
  const weekday = weekdayOf(date);
  const weekly = calendar.rules
    .filter((r) => r.weekday === weekday)
    .map((r): MinuteRange => [r.startMinute, r.endMinute]);
  const overrides = calendar.overrides.filter((o) => o.date === date);
  const off = overrides.filter((o) => o.kind === "off").map((o): MinuteRange => [o.startMinute, o.endMinute]);
  const extra = overrides.filter((o) => o.kind === "extra").map((o): MinuteRange => [o.startMinute, o.endMinute]);
  return union([...subtract(union(weekly), off), ...extra]);
}

/**
 * The teacher's available UTC intervals touching [from, to), each local date converted on its own
 * (so 09:00 stays 09:00 local across daylight-saving changes). Intervals that meet (e.g. at local
 * midnight) are merged, so a session may run across midnight when both days allow it.
 */
export function availableIntervals(calendar: TeacherCalendar, from: number, to: number): Interval[] {
  const tz = calendar.timezone;
  const last = addDays(localDateOf(to, tz), 1);
  const intervals: Interval[] = [];
  for (let date = addDays(localDateOf(from, tz), -1); date <= last; date = addDays(date, 1)) {
    for (const [s, e] of minutesOn(calendar, date)) {
      const start = zonedInstant(date, s, tz).getTime();
      const end = zonedInstant(date, e, tz).getTime();
      if (end > start && end > from && start < to) intervals.push({ start, end });
    }
  }
  intervals.sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const i of intervals) {
    const prev = merged[merged.length - 1];
    if (prev && i.start <= prev.end) prev.end = Math.max(prev.end, i.end);
    else merged.push({ ...i });
  }
  return merged;
}

const STEP_MS = TUTORING_POLICY.slotStepMinutes * MINUTE_MS;

/** Whether an instant sits on the slot grid of the teacher's local clock (:00, :30, ...). */
export function onSlotGrid(instant: number, timeZone: string): boolean {
  return (instant + offsetAt(instant, timeZone)) % STEP_MS === 0;
}

/** The window in which a slot may start: after the minimum notice, within the booking horizon. */
export function bookingWindow(now: Date): Interval {
  return {
    start: now.getTime() + TUTORING_POLICY.minBookingNoticeMinutes * MINUTE_MS,
    end: now.getTime() + TUTORING_POLICY.bookingHorizonDays * DAY_MS,
  };
}

export interface SlotQuery {
  calendar: TeacherCalendar;
  /** Sessions already taking time (sorted or not); a slot may not overlap any. */
  busy: Interval[];
  durationMinutes: number;
  /** Slots start in [from, to). */
  from: number;
  to: number;
  limit?: number;
}

/** Free slot starts (epoch ms) on the teacher's local slot grid, each lying fully inside availability. */
export function freeSlots(q: SlotQuery): number[] {
  const duration = q.durationMinutes * MINUTE_MS;
  const tz = q.calendar.timezone;
  const busy = [...q.busy].sort((a, b) => a.start - b.start);
  const slots: number[] = [];
  if (q.from >= q.to) return slots;
  for (const interval of availableIntervals(q.calendar, q.from, q.to + duration)) {
    const offset = offsetAt(interval.start, tz);
    const first = Math.max(interval.start, q.from);
    let t = Math.ceil((first + offset) / STEP_MS) * STEP_MS - offset;
    for (; t + duration <= interval.end && t < q.to; t += STEP_MS) {
      const end = t + duration;
      if (busy.some((b) => b.start < end && t < b.end)) continue;
      slots.push(t);
      if (q.limit !== undefined && slots.length >= q.limit) return slots;
    }
  }
  return slots;
}

/** The first free slot from `from` (scanning a week at a time, so a busy teacher costs little), or null. */
export function nextFreeSlot(q: Omit<SlotQuery, "limit">): number | null {
  for (let from = q.from; from < q.to; from += 7 * DAY_MS) {
    const [slot] = freeSlots({ ...q, from, to: Math.min(q.to, from + 7 * DAY_MS), limit: 1 });
    if (slot !== undefined) return slot;
  }
  return null;
}

/** Whether [start, start + duration) lies fully inside the teacher's availability and on the slot grid. */
export function withinAvailability(calendar: TeacherCalendar, start: number, durationMinutes: number): boolean {
  const end = start + durationMinutes * MINUTE_MS;
  if (!onSlotGrid(start, calendar.timezone)) return false;
  return availableIntervals(calendar, start - DAY_MS, end + DAY_MS).some((i) => i.start <= start && end <= i.end);
}
