import { execFile, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoData, seedDemoTutoring } from "../src/seed.ts";
import { startTestServer } from "../src/testing/index.ts";
import { buildClient, clientDir } from "./build.ts";

const exampleDir = fileURLToPath(new URL("../../../examples/node-client/", import.meta.url));

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function mustRun(command: string, args: string[], cwd: string) {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.output}`);
  return result.output;
}

/** tsc's own timing of a check, for the log. */
const checkTime = (output: string) => output.match(/Check time:\s+(\S+)/)?.[1] ?? "?";

// An outside project: the example copied out of the monorepo, with the packed package (not a
// workspace link) and nothing else but @trpc/*, superjson and TypeScript.
describe("@lectern/client in a project outside the monorepo", () => {
  let project = "";

  beforeAll(() => {
    buildClient();
    project = mkdtempSync(join(tmpdir(), "lectern-node-client-"));
    cpSync(exampleDir, project, {
      recursive: true,
      filter: (source) => !/node_modules|\.tgz$|pnpm-lock\.yaml$/.test(source),
    });
    mustRun("pnpm", ["pack", "--out", join(project, "lectern-client.tgz")], clientDir);
    // The store is warm after the monorepo's install; --prefer-offline keeps this to a second or two.
    mustRun("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"], project);
  }, 180_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("installs declarations and peers only: no server source or server dependency", () => {
    const installed = readdirSync(join(project, "node_modules/.pnpm")).join("\n");
    for (const server of ["drizzle-orm", "better-auth", "hono", "pg@", "graphile-worker", "zod", "@types+node"]) {
      expect(installed).not.toContain(server);
    }
    const packed = mustRun("tar", ["-tzf", "lectern-client.tgz"], project).trim().split("\n");
    expect(packed.sort()).toEqual([
      "package/README.md",
      "package/dist/index.d.ts",
      "package/dist/index.js",
      "package/package.json",
    ]);
    const declarations = readFileSync(join(project, "node_modules/@lectern/client/dist/index.d.ts"), "utf8");
    const named = new Set([...declarations.matchAll(/(?:from |import\()"([^"]+)"/g)].map((match) => match[1]));
    expect([...named]).toEqual(["@trpc/server"]);
  });

  it("type-checks the example, with no Node types, against the packed declarations", () => {
    const result = run("node_modules/.bin/tsc", ["-p", "tsconfig.json", "--extendedDiagnostics"], project);
    expect(result.output).not.toContain("error TS");
    expect(result.status).toBe(0);
    console.info(`example client type-checked against @lectern/client in ${checkTime(result.output)}`);
  });

  it("keeps the declarations themselves free of Node globals (checked without skipLibCheck)", () => {
    // @trpc/server 11.19's own .d.ts files name Node's http and ESNext's Disposable, so this check
    // fails for them; what it proves is that no error points into @lectern/client.
    const result = run("node_modules/.bin/tsc", ["-p", "tsconfig.json", "--skipLibCheck", "false"], project);
    const errors = result.output.split("\n").filter((line) => line.includes("error TS"));
    expect(errors.filter((line) => !line.includes("/@trpc/server/"))).toEqual([]);
  });

  it("fails to type-check the deliberate type error", () => {
    const result = run("node_modules/.bin/tsc", ["-p", "tsconfig.type-error.json"], project);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(
      /src\/type-error\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'Date'\./,
    );
    expect(result.output.match(/error TS/g)).toHaveLength(1);
  });

  it("signs in, reads and books a session against a live API", async () => {
    const api = await startTestServer(inject("pg"));
    try {
      await seedDemoData(api.db, api.auth);
      await seedDemoTutoring(api.db);
      // Asynchronously: this process serves the API the example calls.
      const { stdout } = await promisify(execFile)(process.execPath, ["src/main.ts"], {
        cwd: project,
        env: { ...process.env, LECTERN_API_URL: api.url },
      });
      expect(stdout).toContain("signed in as ");
      expect(stdout).toContain("<learner1@lectern.local> (learner)");
      expect(stdout).toMatch(/^teachers: [1-9]\d*$/m);
      expect(stdout).toMatch(/^booked \S+ with .+ at \d{4}-\d\d-\d\dT\S+Z \(booked\)$/m);
    } finally {
      await api.close();
    }
  }, 60_000);
});
