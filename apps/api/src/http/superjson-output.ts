import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;

/**
 * superjson's annotations as a tree that mirrors the value (its deserializer reads this form as well
 * as its own flat one, keyed by dotted path): a Date or undefined array item is a leaf, an object or
 * array holding any is a record of its keys. Built beside the copy, it costs a property per Date
 * where the flat form's hundreds of path strings, in one dictionary, took half the time.
 */
type Tree = { [key: string]: Tree | Leaf };
type Leaf = ["Date"] | ["undefined"];

// One leaf of each kind for all answers: the result is only ever written out as JSON.
const DATE = Object.freeze(["Date"]) as ["Date"];
const UNDEFINED = Object.freeze(["undefined"]) as ["undefined"];

/**
 * superjson.serialize for tRPC's answers without superjson's generic walk, which took a quarter of
 * the API's CPU on a page of sessions (each with a dozen Dates). The apps' superjson clients read the
 * result unchanged: `json` is a copy of the value with each valid Date as its ISO string (what
 * JSON.stringify would write for it, as superjson does, byte for byte), and `meta.values` names
 * every Date (and undefined array item) in the tree form above. The copy holds only plain data, so
 * tRPC's JSON.stringify stays on V8's fast path (a Date's toJSON call takes it off for the whole
 * answer). A Date met twice arrives as two equal Dates rather than one shared object. Anything else
 * superjson has a rule for (Map, Set, bigint, NaN, undefined properties, class instances, objects
 * shared or circular, ...) goes to superjson itself.
 */
export function serializeOutput(value: unknown): SuperJSONResult {
  if (typeof value !== "object" || value === null || value instanceof Date) return superjson.serialize(value);
  const json = plainCopy(value, new Set());
  const values = childTree;
  childTree = undefined;
  if (json === NOT_PLAIN) return superjson.serialize(value);
  return values === undefined ? { json } : { json, meta: { values: values as never, v: 1 } };
}

const NOT_PLAIN = Symbol("not plain");
type Json = SuperJSONResult["json"];

/**
 * The annotations of the node plainCopy returned last (undefined: none under it). A second return
 * value without allocating a pair per object; the walk is synchronous, so nothing reads it between.
 */
let childTree: Tree | undefined;

/**
 * A copy of `node` with its Dates as ISO strings, its annotations left in `childTree`; NOT_PLAIN
 * when it holds anything else to transform.
 */
function plainCopy(node: object, seen: Set<object>): Json | typeof NOT_PLAIN {
  if (seen.has(node)) return NOT_PLAIN;
  seen.add(node);
  const array = Array.isArray(node);
  if (!array) {
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  }
  const record = node as Record<string, unknown>;
  const copy: Record<string, unknown> = array ? (new Array((node as unknown[]).length) as never) : {};
  let tree: Tree | undefined;
  for (const key of Object.keys(record)) {
    // superjson refuses these keys (prototype pollution): let it throw its own error.
    if (key === "__proto__" || key === "constructor" || key === "prototype") return NOT_PLAIN;
    const value = record[key];
    switch (typeof value) {
      case "string":
      case "boolean":
        copy[key] = value;
        continue;
      case "number":
        if (!Number.isFinite(value) || Object.is(value, -0)) return NOT_PLAIN;
        copy[key] = value;
        continue;
      case "undefined":
        // superjson writes an undefined property as null; JSON.stringify would drop it.
        if (!array) return NOT_PLAIN;
        tree ??= {};
        tree[key] = UNDEFINED;
        copy[key] = undefined;
        continue;
      case "object": {
        if (value === null) {
          copy[key] = null;
          continue;
        }
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) return NOT_PLAIN;
          tree ??= {};
          tree[escapeKey(key)] = DATE;
          copy[key] = isoString(value);
          continue;
        }
        const inner = plainCopy(value, seen);
        if (inner === NOT_PLAIN) return NOT_PLAIN;
        copy[key] = inner;
        if (childTree !== undefined) {
          tree ??= {};
          tree[escapeKey(key)] = childTree;
          childTree = undefined;
        }
        continue;
      }
      default:
        return NOT_PLAIN;
    }
  }
  childTree = tree;
  return copy as Json;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * Date#toISOString, written out: about half its cost, for the dozens of Dates a page of sessions
 * carries. Years outside 1000–9999 (never a session's) are left to toISOString, which writes them
 * in its extended form.
 */
function isoString(d: Date): string {
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9999) return d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(
    d.getUTCMinutes(),
  )}:${pad2(d.getUTCSeconds())}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}Z`;
}

/** superjson's path escaping: `.` separates keys, so a key's own dots and backslashes are escaped. */
const escapeKey = (key: string) =>
  key.includes(".") || key.includes("\\") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key;
