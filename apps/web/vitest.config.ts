import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// @sparticuz/chromium unpacks into $TMPDIR/chromium and reuses whatever is there: give it our own.
const browserTmp = fileURLToPath(new URL("../../.cache/browser/", import.meta.url));
mkdirSync(browserTmp, { recursive: true });

export default defineConfig({
  test: {
    include: ["src/**/*.test.{ts,tsx}", "e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Browser journeys share one Chromium-heavy machine: run the files one after another.
    fileParallelism: false,
    env: { TMPDIR: browserTmp },
  },
});
