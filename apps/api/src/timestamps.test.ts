import { parseTimestamptz } from "@lectern/db";
import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { useTestApp } from "./testing/vitest.ts";

const t = await useTestApp();

describe("reading timestamptz on the pool's own queries (packages/db/src/timestamps.ts)", () => {
  it("gives the same instant as Postgres for every zone and precision it writes", async () => {
    const client = new pg.Client({
      connectionString: t.env.DATABASE_URL,
      types: { getTypeParser: () => (v: string) => v },
    });
    await client.connect();
    try {
      const instants = fc.sample(
        fc.date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        300,
      );
      for (const zone of ["UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Africa/Cairo"]) {
        await client.query(`set time zone '${zone}'`);
        const { rows } = await client.query<{ text: string; epoch: string }>(
          `select t::text as text, (extract(epoch from t) * 1000)::bigint::text as epoch
            from unnest($1::timestamptz[]) as t`,
          [instants.map((d) => d.toISOString())],
        );
        for (const row of rows) expect(parseTimestamptz(row.text).getTime(), row.text).toBe(Number(row.epoch));
      }
      // Microseconds are dropped, as pg's own parser does.
      expect(parseTimestamptz("2026-12-07 20:00:00.123999+00").toISOString()).toBe("2026-12-07T20:00:00.123Z");
      expect(parseTimestamptz("2026-12-07 20:00:00.5-03:30").toISOString()).toBe("2026-12-07T23:30:00.500Z");
    } finally {
      await client.end();
    }
  });

  it("hands what it does not read itself to pg's parser", () => {
    expect(parseTimestamptz("infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(parseTimestamptz("-infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseTimestamptz("0044-03-15 12:00:00+00 BC").getUTCFullYear()).toBe(-43);
    expect(parseTimestamptz("0099-01-01 00:00:00+00").getUTCFullYear()).toBe(99);
    expect(parseTimestamptz("1900-01-01 00:00:00+00:19:32").toISOString()).toBe("1899-12-31T23:40:28.000Z");
  });

  it("is what the pool's plain queries return", async () => {
    const { rows } = await t.database.pool.query<{ at: Date }>("select '2026-12-07 20:00:00.25+02'::timestamptz as at");
    expect(rows[0]?.at).toEqual(new Date("2026-12-07T18:00:00.250Z"));
  });
});
