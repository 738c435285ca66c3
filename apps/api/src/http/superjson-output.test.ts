import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { signedInAs } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";
import { serializeOutput } from "./superjson-output.ts";

/** What a superjson client reads from the wire. */
const overTheWire = (payload: unknown) => superjson.deserialize(JSON.parse(JSON.stringify(payload)));

class Money {
  minor: number;
  constructor(minor: number) {
    this.minor = minor;
  }
}

describe("tRPC answers' serialisation", () => {
  it("writes superjson's json for plain data with Dates and undefineds, and annotations it reads back", () => {
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, n));
    const values: unknown[] = [
      {},
      [],
      { a: 1, b: "x", c: true, d: null },
      { when: at(1), nested: { deeper: { when: at(2), list: [at(3), 4, { at: at(5) }] } } },
      {
        items: [
          { startsAt: at(6), report: null },
          { startsAt: at(7), report: { at: at(8) } },
        ],
        total: 2,
      },
      [undefined, at(8), [at(9)]],
      { "dotted.key": at(10), "back\\slash": { "a.b\\c": at(11) }, "": at(12) },
      Object.assign(Object.create(null), { when: at(13) }),
      { "0": at(14), emptyArray: [], emptyObject: {} },
      // Milliseconds of one, two and three digits, the last instant of a year, years outside 1000–9999.
      [new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 7)), new Date(Date.UTC(2027, 1, 28, 9, 5, 3, 45)), new Date(999)],
      [new Date(Date.UTC(999, 0, 1)), new Date(Date.UTC(10000, 0, 1)), new Date(-8.64e15), new Date(8.64e15)],
    ];
    for (const value of values) {
      const ours = serializeOutput(value);
      const theirs = superjson.serialize(value);
      expect(JSON.stringify(ours.json)).toBe(JSON.stringify(theirs.json));
      // The annotations are a tree, not superjson's flat paths: none where superjson writes none.
      expect(ours.meta === undefined).toBe(theirs.meta === undefined);
      expect(overTheWire(ours)).toEqual(value);
    }
  });

  it("hands everything else superjson transforms to superjson itself", () => {
    const shared = { id: "x" };
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const values: unknown[] = [
      new Date(Date.UTC(2026, 0, 1)),
      undefined,
      "text",
      { map: new Map([["k", 1]]) },
      { set: new Set([1]) },
      { big: 10n },
      { nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
      { zero: -0 },
      { invalid: new Date(Number.NaN) },
      { money: new Money(5) },
      { gone: undefined, when: new Date(Date.UTC(2026, 0, 1)) },
      { regex: /a/ },
      { a: shared, b: [shared] },
      circular,
    ];
    for (const value of values)
      expect(JSON.stringify(serializeOutput(value))).toBe(JSON.stringify(superjson.serialize(value)));
    expect(() => serializeOutput(JSON.parse('{"__proto__": {"x": 1}}'))).toThrow(/prototype pollution/);
  });

  it("keeps a Date met twice as two equal Dates", () => {
    const when = new Date(Date.UTC(2026, 0, 1));
    expect(overTheWire(serializeOutput({ startsAt: when, joinableUntil: when }))).toEqual({
      startsAt: when,
      joinableUntil: when,
    });
  });
});

const t = await useTestApp();

describe("a tRPC answer with Dates", () => {
  it("reaches a superjson client as Dates", async () => {
    const { agent } = await signedInAs(t, "learner");
    const me = await agent.trpc.account.me.query();
    expect(me?.createdAt).toBeInstanceOf(Date);
  });
});
