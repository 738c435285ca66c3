import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseEnv } from "@lectern/config";
import { schema } from "@lectern/db";
import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DEMO_USERS, demoSeedRefusal, seedDemo } from "./seed.ts";
import { useTestApp } from "./testing/vitest.ts";

const t = await useTestApp();

const run = promisify(execFile);
const script = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Runs one of the api's entry scripts with exactly this environment; its exit code and output. */
async function runEntry(path: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [script(path)], { env, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

const demoUsers = () =>
  t.db
    .select({ email: schema.users.email })
    .from(schema.users)
    .where(
      inArray(
        schema.users.email,
        DEMO_USERS.map((u) => u.email),
      ),
    );

const PRODUCTION = {
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: "p".repeat(40),
  API_URL: "https://api.example.com",
  WEB_URL: "https://app.example.com",
  ADMIN_URL: "https://admin.example.com",
};

describe("demo data", () => {
  it("is refused with NODE_ENV=production, even with SEED_DEMO=true, and without SEED_DEMO outside the embedded database", async () => {
    const production = parseEnv({ ...PRODUCTION, DATABASE_URL: String(t.env.DATABASE_URL), SEED_DEMO: "true" });
    expect(demoSeedRefusal(production, { embedded: false })).toMatch(/^NODE_ENV=production: .*never loaded/);
    expect(await seedDemo(t.db, t.auth, production, { embedded: true })).toMatchObject({ seeded: false });

    const elsewhere = parseEnv({ DATABASE_URL: String(t.env.DATABASE_URL) });
    expect(await seedDemo(t.db, t.auth, elsewhere, { embedded: false })).toEqual({
      seeded: false,
      reason: expect.stringContaining("only with SEED_DEMO=true"),
    });
    expect(demoSeedRefusal(parseEnv({}), { embedded: true })).toBeUndefined();
    expect(await demoUsers()).toEqual([]);
  });

  it("`pnpm db:seed` in production exits 1 with the reason and loads nothing", async () => {
    const { code, output } = await runEntry("./cli/seed.ts", {
      ...PRODUCTION,
      DATABASE_URL: String(t.env.DATABASE_URL),
      SEED_DEMO: "true",
      LOG_LEVEL: "silent",
    });
    expect(code).toBe(1);
    expect(output).toContain("Not seeding. NODE_ENV=production");
    expect(output).not.toContain("lectern-demo");
    expect(await demoUsers()).toEqual([]);
  });

  it("`pnpm db:seed` against DATABASE_URL loads the demo accounts only with SEED_DEMO=true", async () => {
    const env = { NODE_ENV: "test", DATABASE_URL: String(t.env.DATABASE_URL), LOG_LEVEL: "silent" };
    const refused = await runEntry("./cli/seed.ts", env);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("SEED_DEMO=true");
    expect(await demoUsers()).toEqual([]);

    const asked = await runEntry("./cli/seed.ts", { ...env, SEED_DEMO: "true" });
    expect(asked.code, asked.output).toBe(0);
    expect(asked.output).toContain(`seeded ${DEMO_USERS.length} new demo users`);
    expect(await demoUsers()).toHaveLength(DEMO_USERS.length);
  });
});

describe("production entries", () => {
  it.each(["./main.ts", "./worker.ts"])(
    "%s refuses the development secret and a missing DATABASE_URL unless NODE_ENV=development",
    async (entry) => {
      const bare = await runEntry(entry, {});
      expect(bare.code).toBe(1);
      expect(bare.output).toContain("BETTER_AUTH_SECRET: set a secret of your own");
      expect(bare.output).toContain("DATABASE_URL: required");

      const devSecret = await runEntry(entry, {
        NODE_ENV: "test",
        DATABASE_URL: String(t.env.DATABASE_URL),
        BETTER_AUTH_SECRET: "lectern-development-secret-do-not-use-in-production",
      });
      expect(devSecret.code).toBe(1);
      expect(devSecret.output).toContain("BETTER_AUTH_SECRET: set a secret of your own");
      expect(devSecret.output).not.toContain("DATABASE_URL");
    },
  );
});
