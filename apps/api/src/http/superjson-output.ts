import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;
type Annotations = Record<string, ["Date"] | ["undefined"]>;

/**
 * superjson.serialize for tRPC's answers without superjson's generic walk, which took a quarter of
 * the API's CPU on a page of sessions (each with a dozen Dates). The apps' superjson clients read the
 * result unchanged: `json` is the value itself (JSON.stringify writes a valid Date as its ISO string,
 * as superjson does) and `meta.values` names every Date (and undefined array item) by its path, in
 * superjson's format. A Date met twice arrives as two equal Dates rather than one shared object.
 * Anything else superjson has a rule for (Map, Set, bigint, NaN, undefined properties, class
 * instances, objects shared or circular, ...) goes to superjson itself.
 */
export function serializeOutput(value: unknown): SuperJSONResult {
  if (typeof value !== "object" || value === null || value instanceof Date) return superjson.serialize(value);
  const values: Annotations = {};
  if (!annotate(value, "", values, new Set())) return superjson.serialize(value);
  const json = value as SuperJSONResult["json"];
  return Object.keys(values).length === 0 ? { json } : { json, meta: { values, v: 1 } };
}

/** Adds the Dates and undefineds under `node` to `out`; false when `node` holds anything else to transform. */
function annotate(node: object, prefix: string, out: Annotations, seen: Set<object>): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (!Array.isArray(node)) {
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) return false;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    // superjson refuses these keys (prototype pollution): let it throw its own error.
    if (key === "__proto__" || key === "constructor" || key === "prototype") return false;
    const value = record[key];
    switch (typeof value) {
      case "string":
      case "boolean":
        continue;
      case "number":
        if (!Number.isFinite(value) || Object.is(value, -0)) return false;
        continue;
      case "undefined":
        // superjson writes an undefined property as null; JSON.stringify would drop it.
        if (!Array.isArray(node)) return false;
        out[prefix + key] = ["undefined"];
        continue;
      case "object":
        if (value === null) continue;
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) return false;
          out[prefix + escapeKey(key)] = ["Date"];
          continue;
        }
        if (!annotate(value, `${prefix}${escapeKey(key)}.`, out, seen)) return false;
        continue;
      default:
        return false;
    }
  }
  return true;
}

/** superjson's path escaping: `.` separates keys, so a key's own dots and backslashes are escaped. */
const escapeKey = (key: string) =>
  key.includes(".") || key.includes("\\") ? key.replace(/\\/g, "\\\\").replace(/\./g, "\\.") : key;
