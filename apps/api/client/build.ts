/**
 * Builds @lectern/client into dist/: the router's declarations spelled out by tsc (see
 * src/index.ts), checked to name no module but @trpc/server, and an empty module for bundlers.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const clientDir = fileURLToPath(new URL(".", import.meta.url));
const tsc = fileURLToPath(new URL("../node_modules/.bin/tsc", import.meta.url));

export function buildClient(): void {
  const staging = mkdtempSync(join(tmpdir(), "lectern-client-"));
  try {
    // --noCheck: emitting is all this needs; the API's own typecheck guards its sources.
    execFileSync(tsc, ["-p", join(clientDir, "tsconfig.json"), "--noCheck", "--outDir", staging], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const declarations = readFileSync(join(staging, "client/src/index.d.ts"), "utf8");
    const named = new Set([...declarations.matchAll(/(?:from |import\()"([^"]+)"/g)].map((match) => match[1]));
    named.delete("@trpc/server");
    if (/^\/\/\/ *<reference/m.test(declarations)) named.add("a /// <reference> directive");
    if (named.size > 0) {
      throw new Error(`@lectern/client's declarations must name only @trpc/server, not ${[...named].join(", ")}`);
    }
    const dist = join(clientDir, "dist");
    rmSync(dist, { recursive: true, force: true });
    mkdirSync(dist);
    writeFileSync(join(dist, "index.d.ts"), declarations);
    writeFileSync(join(dist, "index.js"), "export {};\n");
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) buildClient();
