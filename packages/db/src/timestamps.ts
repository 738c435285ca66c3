import pg from "pg";

const TIMESTAMPTZ = pg.types.builtins.TIMESTAMPTZ;
const pgParse = pg.types.getTypeParser(TIMESTAMPTZ, "text") as (text: string) => Date;

/** The number in `text` from `from` to `to` (exclusive), or -1 if a character there is not a digit. */
function digits(text: string, from: number, to: number) {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Postgres's text form of a timestamptz under DateStyle ISO ("2026-12-07 20:00:00.123456+00", or
 * "+05:30"), read with arithmetic where pg uses regular expressions: a page of sessions carries
 * dozens. The same Date as pg's parser (fractions past milliseconds dropped); anything else
 * (infinity, BC, years before 1000 or past 9999, offsets with seconds) goes to pg's parser.
 */
export function parseTimestamptz(text: string): Date {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const shaped =
    year >= 1000 &&
    month >= 0 &&
    day >= 0 &&
    hour >= 0 &&
    minute >= 0 &&
    second >= 0 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 32 && // space
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58;
  if (!shaped) return pgParse(text);
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // .fraction: its first three digits are the milliseconds
    const start = ++i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start) return pgParse(text);
    const fraction = digits(text, start, Math.min(i, start + 3));
    ms = fraction * 10 ** (3 - Math.min(i - start, 3));
  }
  const sign = text.charCodeAt(i) === 43 ? 1 : text.charCodeAt(i) === 45 ? -1 : 0; // + or -
  const offsetHours = digits(text, i + 1, i + 3);
  const withMinutes = text.length === i + 6 && text.charCodeAt(i + 3) === 58;
  const offsetMinutes = withMinutes ? digits(text, i + 4, i + 6) : 0;
  if (sign === 0 || offsetHours < 0 || offsetMinutes < 0 || (!withMinutes && text.length !== i + 3))
    return pgParse(text);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return new Date(utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
}

/** pg's parsers, but timestamptz through parseTimestamptz: for queries run on the pool itself (drizzle sets its own). */
export const poolTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMPTZ && format !== "binary"
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};
