import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ensureBuiltApps } from "../deploy/harness.ts";
import { useTestApp } from "../testing/vitest.ts";

await ensureBuiltApps();
const served = await useTestApp({ SERVE_APPS: "true" });
const plain = await useTestApp();

const webAssets = await readdir(fileURLToPath(new URL("../../../web/dist/assets/", import.meta.url)));
const webScript = webAssets.find((f) => f.endsWith(".js"));

describe("SERVE_APPS: the built apps from the API's origin", () => {
  it("serves the web app at / and its client-side routes, never cached, with a CSP", async () => {
    for (const path of ["/", "/sessions/abc", "/verify-email?token=x"]) {
      const response = await served.app.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
      const html = await response.text();
      expect(html).toContain("<title>Lectern</title>");
      expect(html).toMatch(/src="\/assets\/[^"]+\.js"/);
    }
  });

  it("serves the console under /admin/, its assets built for that path", async () => {
    for (const path of ["/admin/", "/admin/users/abc"]) {
      const response = await served.app.request(path);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain("<title>Lectern admin</title>");
      expect(html).toMatch(/src="\/admin\/assets\/[^"]+\.js"/);
    }
    const bare = await served.app.request("/admin?x=1");
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/admin/?x=1");
    const html = await (await served.app.request("/admin/")).text();
    const script = html.match(/src="(\/admin\/assets\/[^"]+\.js)"/)?.[1] ?? "";
    const asset = await served.app.request(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  });

  it("caches hashed assets for good and compresses them", async () => {
    const response = await served.app.request(`/assets/${webScript}`, { headers: { "accept-encoding": "gzip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("content-encoding")).toBe("gzip");
  });

  it("answers 404 for a missing file, a path out of dist/ and an unknown API path, never index.html", async () => {
    for (const path of ["/assets/gone-1234.js", "/admin/assets/gone.css", "/..%2f..%2fpackage.json", "/api/nope"]) {
      const response = await served.app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("<html");
    }
  });

  it("keeps the API's own routes", async () => {
    expect((await served.app.request("/healthz")).status).toBe(200);
    const trpc = await served.app.request("/api/trpc/account.me");
    expect(trpc.status).toBe(200);
    expect(trpc.headers.get("content-type")).toContain("application/json");
  });

  it("serves nothing but the API when off (the default)", async () => {
    expect((await plain.app.request("/")).status).toBe(404);
    expect((await plain.app.request("/admin/")).status).toBe(404);
  });
});
