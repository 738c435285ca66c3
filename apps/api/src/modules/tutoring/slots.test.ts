import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cancellationOutcome, earningsMinor } from "./policy.ts";
import { availableIntervals, freeSlots, type TeacherCalendar, withinAvailability } from "./slots.ts";
import { DAY_MS, localDateOf, minuteOfDay, offsetAt, zonedInstant } from "./zoned-time.ts";

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

/** 09:00–10:00 every day in the zone. */
const mornings = (timezone: string): TeacherCalendar => ({
  timezone,
  rules: Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 10 * 60 })),
  overrides: [],
});

/** The 60-minute slots each day 09:00–10:00 local between two UTC dates. */
const nineOClocks = (timezone: string, from: string, to: string) =>
  freeSlots({ calendar: mornings(timezone), busy: [], durationMinutes: 60, from: at(from), to: at(to) }).map(iso);

/** The offset straight from Intl, nothing remembered: what offsetAt must always answer. */
function intlOffset(instant: number, timeZone: string) {
  const whole = Math.floor(instant / 1000) * 1000;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(new Date(whole))
      .map((p) => [p.type, Number(p.value)]),
  );
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) - whole;
}

describe("local wall time to UTC", () => {
  it("remembers offsets by the hour and still answers exactly around every change (half-hour shifts, Ramadan, zones that moved)", () => {
    const zones = [
      "Europe/London",
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "Pacific/Chatham",
      "Africa/Casablanca",
      "Asia/Gaza",
      "America/Sao_Paulo",
      "Asia/Tehran",
      "Pacific/Apia",
    ];
    const year = 365 * DAY_MS;
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 70 * year }),
        fc.integer({ min: -7_200, max: 7_200 }),
        (zone, at, nudgeSeconds) => {
          const instant = at + nudgeSeconds * 1000;
          expect(offsetAt(instant, zone)).toBe(intlOffset(instant, zone));
          // The very seconds around the zone's next change, found by bisection from Intl's answers.
          let [low, high] = [instant, instant + 200 * DAY_MS];
          if (intlOffset(low, zone) === intlOffset(high, zone)) return;
          while (high - low > 1000) {
            const mid = Math.floor((low + high) / 2000) * 1000;
            if (intlOffset(mid, zone) === intlOffset(low, zone)) low = mid;
            else high = mid;
          }
          for (const t of [low - 1000, low, high, high + 1000]) expect(offsetAt(t, zone)).toBe(intlOffset(t, zone));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("knows the zone's offset on either side of a change", () => {
    expect(offsetAt(at("2025-01-15T12:00:00Z"), "Europe/London")).toBe(0);
    expect(offsetAt(at("2025-07-15T12:00:00Z"), "Europe/London")).toBe(3_600_000);
    expect(offsetAt(at("2025-01-15T12:00:00Z"), "America/New_York")).toBe(-5 * 3_600_000);
    expect(offsetAt(at("2025-07-15T12:00:00Z"), "America/New_York")).toBe(-4 * 3_600_000);
    expect(offsetAt(at("2025-07-15T12:00:00Z"), "Asia/Kathmandu")).toBe(5.75 * 3_600_000);
  });

  it("turns 09:00 local into 09:00Z in a London winter and 08:00Z in a London summer", () => {
    expect(zonedInstant("2025-01-15", 9 * 60, "Europe/London").toISOString()).toBe("2025-01-15T09:00:00.000Z");
    expect(zonedInstant("2025-07-15", 9 * 60, "Europe/London").toISOString()).toBe("2025-07-15T08:00:00.000Z");
    expect(zonedInstant("2025-01-15", 9 * 60, "America/New_York").toISOString()).toBe("2025-01-15T14:00:00.000Z");
    expect(zonedInstant("2025-07-15", 9 * 60, "America/New_York").toISOString()).toBe("2025-07-15T13:00:00.000Z");
  });

  it("moves a time that never happens (clocks forward) past the gap, and takes the first of a time that happens twice", () => {
    // London, 30 March 2025: 01:00 GMT becomes 02:00 BST; 01:30 does not exist.
    expect(zonedInstant("2025-03-30", 90, "Europe/London").toISOString()).toBe("2025-03-30T01:30:00.000Z");
    expect(zonedInstant("2025-03-30", 120, "Europe/London").toISOString()).toBe("2025-03-30T01:00:00.000Z");
    // London, 26 October 2025: 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT).
    expect(zonedInstant("2025-10-26", 90, "Europe/London").toISOString()).toBe("2025-10-26T00:30:00.000Z");
    // New York, 2 November 2025: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(zonedInstant("2025-11-02", 90, "America/New_York").toISOString()).toBe("2025-11-02T05:30:00.000Z");
  });

  it("reads local dates and minutes back", () => {
    expect(localDateOf(at("2025-03-09T03:30:00Z"), "America/New_York")).toBe("2025-03-08");
    expect(minuteOfDay(at("2025-07-15T08:00:00Z"), "Europe/London")).toBe(9 * 60);
    expect(localDateOf(at("2025-12-31T23:30:00Z"), "Asia/Tokyo")).toBe("2026-01-01");
  });
});

describe("slots across daylight-saving changes", () => {
  it("Europe/London, March: 09:00 local is 09:00Z until the change and 08:00Z after it", () => {
    expect(nineOClocks("Europe/London", "2025-03-28T00:00:00Z", "2025-04-01T00:00:00Z")).toEqual([
      "2025-03-28T09:00:00.000Z",
      "2025-03-29T09:00:00.000Z",
      "2025-03-30T08:00:00.000Z",
      "2025-03-31T08:00:00.000Z",
    ]);
  });

  it("Europe/London, October: 09:00 local is 08:00Z until the change and 09:00Z after it", () => {
    expect(nineOClocks("Europe/London", "2025-10-25T00:00:00Z", "2025-10-28T00:00:00Z")).toEqual([
      "2025-10-25T08:00:00.000Z",
      "2025-10-26T09:00:00.000Z",
      "2025-10-27T09:00:00.000Z",
    ]);
  });

  it("America/New_York, March and November: 09:00 local moves between 14:00Z and 13:00Z", () => {
    expect(nineOClocks("America/New_York", "2025-03-08T00:00:00Z", "2025-03-11T00:00:00Z")).toEqual([
      "2025-03-08T14:00:00.000Z",
      "2025-03-09T13:00:00.000Z",
      "2025-03-10T13:00:00.000Z",
    ]);
    expect(nineOClocks("America/New_York", "2025-11-01T00:00:00Z", "2025-11-04T00:00:00Z")).toEqual([
      "2025-11-01T13:00:00.000Z",
      "2025-11-02T14:00:00.000Z",
      "2025-11-03T14:00:00.000Z",
    ]);
  });

  it("a night that loses an hour has one hour less to book, and one that gains an hour has one more", () => {
    const nights = (date: string): TeacherCalendar => ({
      timezone: "Europe/London",
      rules: [],
      overrides: [{ date, kind: "extra", startMinute: 0, endMinute: 4 * 60 }],
    });
    const hours = (date: string) =>
      availableIntervals(nights(date), at(`${date}T00:00:00Z`) - 86_400_000, at(`${date}T00:00:00Z`) + 86_400_000).map(
        (i) => (i.end - i.start) / 3_600_000,
      );
    expect(hours("2025-03-30")).toEqual([3]);
    expect(hours("2025-10-26")).toEqual([5]);
  });
});

describe("availability", () => {
  const week: TeacherCalendar = {
    timezone: "UTC",
    // Mondays 09:00–12:00 and 22:00–24:00, Tuesdays 00:00–01:00
    rules: [
      { weekday: 1, startMinute: 540, endMinute: 720 },
      { weekday: 1, startMinute: 1320, endMinute: 1440 },
      { weekday: 2, startMinute: 0, endMinute: 60 },
    ],
    overrides: [
      { date: "2025-06-09", kind: "off", startMinute: 600, endMinute: 660 },
      { date: "2025-06-10", kind: "extra", startMinute: 840, endMinute: 900 },
    ],
  };

  it("is weekly hours minus time off plus extra hours, with slots on the half hour", () => {
    const slots = freeSlots({
      calendar: week,
      busy: [],
      durationMinutes: 30,
      from: at("2025-06-09T00:00:00Z"),
      to: at("2025-06-11T00:00:00Z"),
    }).map(iso);
    expect(slots).toEqual([
      "2025-06-09T09:00:00.000Z",
      "2025-06-09T09:30:00.000Z",
      // 10:00–11:00 is time off that Monday
      "2025-06-09T11:00:00.000Z",
      "2025-06-09T11:30:00.000Z",
      "2025-06-09T22:00:00.000Z",
      "2025-06-09T22:30:00.000Z",
      "2025-06-09T23:00:00.000Z",
      "2025-06-09T23:30:00.000Z",
      "2025-06-10T00:00:00.000Z",
      "2025-06-10T00:30:00.000Z",
      // extra hours that Tuesday
      "2025-06-10T14:00:00.000Z",
      "2025-06-10T14:30:00.000Z",
    ]);
  });

  it("needs the whole session inside availability, lets it run past midnight, and skips busy times", () => {
    expect(withinAvailability(week, at("2025-06-09T23:30:00Z"), 60)).toBe(true);
    expect(withinAvailability(week, at("2025-06-09T11:30:00Z"), 60)).toBe(false);
    expect(withinAvailability(week, at("2025-06-09T09:15:00Z"), 30)).toBe(false);
    expect(withinAvailability(week, at("2025-06-16T10:00:00Z"), 60)).toBe(true);
    expect(withinAvailability(week, at("2025-06-09T10:00:00Z"), 60)).toBe(false);
    const slots = freeSlots({
      calendar: week,
      busy: [{ start: at("2025-06-16T10:00:00Z"), end: at("2025-06-16T11:00:00Z") }],
      durationMinutes: 60,
      from: at("2025-06-16T00:00:00Z"),
      to: at("2025-06-16T13:00:00Z"),
    }).map(iso);
    expect(slots).toEqual(["2025-06-16T09:00:00.000Z", "2025-06-16T11:00:00.000Z"]);
  });

  it("aligns slots to the teacher's local clock even at a 45-minute offset", () => {
    const slots = freeSlots({
      calendar: mornings("Asia/Kathmandu"),
      busy: [],
      durationMinutes: 30,
      from: at("2025-06-09T00:00:00Z"),
      to: at("2025-06-10T00:00:00Z"),
    }).map(iso);
    expect(slots).toEqual(["2025-06-09T03:15:00.000Z", "2025-06-09T03:45:00.000Z"]);
  });
});

describe("money and credit rules", () => {
  it("pays duration × hourly rate, rounded half up to a whole minor unit", () => {
    expect(earningsMinor(2500, 60)).toBe(2500);
    expect(earningsMinor(2500, 45)).toBe(1875);
    expect(earningsMinor(1001, 30)).toBe(501);
    expect(earningsMinor(1001, 90)).toBe(1502);
    expect(earningsMinor(1, 30)).toBe(1);
    expect(earningsMinor(0, 120)).toBe(0);
  });

  it("returns the credit for early learner changes and every teacher or admin cancellation; forfeits late learner ones", () => {
    const startsAt = new Date("2025-06-10T12:00:00Z");
    const session = { creditOutcome: "reserved" as const, startsAt };
    const early = new Date("2025-06-10T00:00:00Z");
    const late = new Date("2025-06-10T00:00:01Z");
    expect(cancellationOutcome(session, "learner", early)).toBe("refunded");
    expect(cancellationOutcome(session, "learner", late)).toBe("forfeited");
    expect(cancellationOutcome(session, "teacher", late)).toBe("refunded");
    expect(cancellationOutcome(session, "admin", late)).toBe("refunded");
    expect(cancellationOutcome({ creditOutcome: "none", startsAt }, "learner", late)).toBe("none");
  });
});
