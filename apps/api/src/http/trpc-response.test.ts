import { serve } from "@hono/node-server";
import { freePort } from "@lectern/db";
import { afterAll, describe, expect, it } from "vitest";
import { signUpVerified, TEST_ORIGIN } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();
const port = await freePort();
const server = serve({ fetch: t.app.fetch, hostname: "127.0.0.1", port });
await new Promise<void>((resolve) => server.once("listening", resolve));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("tRPC responses on the wire", () => {
  it("are sent whole with a Content-Length (not streamed in chunks), with CORS headers and the request id", async () => {
    const { agent } = await signUpVerified(t, { email: "wire@example.com" });
    const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(`http://127.0.0.1:${port}/api/trpc/account.me`, {
      headers: { cookie, origin: TEST_ORIGIN },
    });
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get("transfer-encoding")).toBeNull();
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
    expect(response.headers.get("access-control-allow-origin")).toBe(TEST_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("vary")).toMatch(/Origin/);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(body).toContain("wire@example.com");

    // A foreign origin still gets no CORS grant.
    const foreign = await fetch(`http://127.0.0.1:${port}/api/trpc/account.appConfig`, {
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
