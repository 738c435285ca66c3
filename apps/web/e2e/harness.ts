// Browser-test world: a throwaway embedded Postgres, the API with its worker on a loopback port,
// the built web app and admin console served by `vite preview` (proxying /api), and Chromium.
import { fileURLToPath } from "node:url";
import { seedDemoData } from "@lectern/api/seed";
import { startTestServer } from "@lectern/api/testing";
import { freePort } from "@lectern/db";
import { startTestPostgres } from "@lectern/db/testing";
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";
import { preview } from "vite";

const appRoot = (app: "web" | "admin") => fileURLToPath(new URL(`../../${app}/`, import.meta.url));

async function servePreview(app: "web" | "admin", port: number, apiUrl: string) {
  const server = await preview({
    root: appRoot(app),
    configFile: `${appRoot(app)}vite.config.ts`,
    logLevel: "warn",
    preview: { host: "localhost", port, strictPort: true, proxy: { "/api": { target: apiUrl } } },
  });
  return server;
}

// Flags for a serverless sandbox we do not want: same-origin rules and mixed-content blocking stay
// on, and a single-process browser dies with its first closed context.
const UNWANTED_FLAGS = new Set(["--disable-web-security", "--allow-running-insecure-content", "--single-process"]);

export async function launchBrowser(): Promise<Browser> {
  // Chromium unpacks into $TMPDIR, which vitest.config.ts points at the repo's .cache/browser/.
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: [
      ...chromium.args.filter((a) => !UNWANTED_FLAGS.has(a)),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    headless: true,
  });
}

/** `overrides`: more API environment (e.g. SMTP_URL). */
export async function startWorld(overrides: Record<string, string> = {}) {
  const [webPort, adminPort] = [await freePort(), await freePort()];
  const webUrl = `http://localhost:${webPort}`;
  // The console is built for /admin/ (the path the API serves it under with SERVE_APPS).
  const adminUrl = `http://localhost:${adminPort}/admin`;
  const pg = await startTestPostgres();
  // Every journey signs in from the same loopback address; the per-IP sign-in limit has its own API tests.
  const api = await startTestServer(pg, {
    WEB_URL: webUrl,
    ADMIN_URL: adminUrl,
    SIGN_IN_RATE_LIMIT_MAX: "1000",
    ...overrides,
  });
  await seedDemoData(api.db, api.auth);
  const [web, admin] = await Promise.all([
    servePreview("web", webPort, api.url),
    servePreview("admin", adminPort, api.url),
  ]);
  const browser = await launchBrowser();
  return {
    api,
    webUrl,
    adminUrl,
    browser,
    async close() {
      await browser.close();
      await Promise.all([web.close(), admin.close()]);
      await api.close();
      await pg.stop();
    },
  };
}

export type World = Awaited<ReturnType<typeof startWorld>>;
