import { serve } from "@hono/node-server";
import { freePort, schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { Agent, signUpVerified, TEST_PASSWORD } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();
const EMAIL = "where-from@example.com";
const { user } = await signUpVerified(t, { email: EMAIL });

/** The API of one instance on a real loopback socket, as in production. */
async function listen(app: { fetch: (request: Request) => Response | Promise<Response> }) {
  const port = await freePort();
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { request: (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init) };
}

async function signInThrough(agent: Agent) {
  const response = await agent.authPost("/sign-in/email", { email: EMAIL, password: TEST_PASSWORD });
  expect(response.status).toBe(200);
  const sessions = await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id));
  const token = decodeURIComponent(agent.cookies.get("better-auth.session_token") ?? "").split(".")[0];
  const session = sessions.find((s) => s.token === token);
  if (!session) throw new Error("no session for the cookie");
  return session;
}

describe("the client IP recorded for a request", () => {
  it("is the socket's address when no proxy is trusted, whatever X-Forwarded-For says", async () => {
    const direct = await listen(t.instance({ TRUST_PROXY: "false" }).app);
    const session = await signInThrough(new Agent(direct, { ip: "203.0.113.77" }));
    expect(session.ipAddress).toBe("127.0.0.1");
  });

  it("is the last X-Forwarded-For hop (the one the proxy added) when the proxy is trusted", async () => {
    const behindProxy = await listen(t.app);
    const session = await signInThrough(new Agent(behindProxy, { ip: "6.6.6.6, 203.0.113.78" }));
    expect(session.ipAddress).toBe("203.0.113.78");
  });
});
