import { schema } from "@lectern/db";
import { eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type Agent, signUpVerified, TEST_PASSWORD } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();
const MAX = t.env.SIGN_IN_RATE_LIMIT_MAX;
const EMAIL = "limited@example.com";

beforeAll(async () => {
  await signUpVerified(t, { email: EMAIL });
});

const attempt = (agent: Agent, password = "wrong-password") =>
  agent.authPost("/sign-in/email", { email: EMAIL, password }).then((r) => r.status);

const bucket = async (ip: string) => {
  const [row] = await t.db
    .select()
    .from(schema.authRateLimits)
    .where(eq(schema.authRateLimits.key, `${ip}|/sign-in/email`));
  return row;
};

describe("sign-in rate limit", () => {
  it(`allows ${MAX} attempts a minute from one IP, then answers 429 even to the right password`, async () => {
    expect(MAX).toBe(5);
    expect(t.env.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS).toBe(60);
    const client = t.agent({ ip: "203.0.113.1" });
    for (let i = 0; i < MAX; i++) expect(await attempt(client)).toBe(401);
    const blocked = await client.authPost("/sign-in/email", { email: EMAIL, password: TEST_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("x-retry-after"))).toBeGreaterThan(0);
    expect(client.cookies.size).toBe(0);

    // Another client IP has its own budget.
    const neighbour = t.agent({ ip: "203.0.113.2" });
    expect(await attempt(neighbour, TEST_PASSWORD)).toBe(200);
  });

  it("holds across two API processes, because the counts live in Postgres", async () => {
    const second = t.instance();
    const ip = "203.0.113.3";
    const viaFirst = t.agent({ ip });
    const viaSecond = second.agent({ ip });
    for (let i = 0; i < 3; i++) expect(await attempt(viaFirst)).toBe(401);
    for (let i = 3; i < MAX; i++) expect(await attempt(viaSecond)).toBe(401);
    expect(await attempt(viaSecond, TEST_PASSWORD)).toBe(429);
    expect(await attempt(viaFirst, TEST_PASSWORD)).toBe(429);
    expect(await bucket(ip)).toMatchObject({ count: MAX });
  });

  it("behind a trusted proxy, takes the hop the proxy added, so a forged X-Forwarded-For buys nothing", async () => {
    const proxySaw = "203.0.113.4";
    for (let i = 0; i < MAX; i++) {
      // The client sends its own X-Forwarded-For; the proxy appends the address it really saw.
      const forged = t.agent({ ip: `10.0.0.${i + 1}, ${proxySaw}` });
      expect(await attempt(forged)).toBe(401);
    }
    expect(await attempt(t.agent({ ip: `10.0.0.99, ${proxySaw}` }), TEST_PASSWORD)).toBe(429);
    expect(await bucket(proxySaw)).toMatchObject({ count: MAX });
    expect(await t.db.select().from(schema.authRateLimits).where(like(schema.authRateLimits.key, "10.0.0.%"))).toEqual(
      [],
    );
  });

  it("without TRUST_PROXY, X-Forwarded-For is ignored: forging it does not give a fresh budget", async () => {
    // In-process requests have no socket, so the IP is unknown: better-auth then counts every such
    // request in one shared bucket (127.0.0.1 in development and test, "no-trusted-ip" in production).
    const direct = t.instance({ TRUST_PROXY: "false" });
    for (let i = 0; i < MAX; i++) {
      expect(await attempt(direct.agent({ ip: `198.51.100.${i + 1}` }))).toBe(401);
    }
    expect(await attempt(direct.agent({ ip: "198.51.100.200" }), TEST_PASSWORD)).toBe(429);
    expect(await attempt(direct.agent({ ip: null }), TEST_PASSWORD)).toBe(429);
    expect(
      await t.db.select().from(schema.authRateLimits).where(like(schema.authRateLimits.key, "198.51.100.%")),
    ).toEqual([]);
    // The proxy-trusting process still sees real client IPs and is not affected.
    expect(await attempt(t.agent({ ip: "203.0.113.5" }), TEST_PASSWORD)).toBe(200);
  });

  it("a client cannot set the internal client-IP header itself", async () => {
    const ip = "203.0.113.6";
    for (let i = 0; i < MAX; i++) {
      const agent = t.agent({ ip });
      const status = await agent
        .fetch("/api/auth/sign-in/email", {
          method: "POST",
          headers: { "content-type": "application/json", "x-lectern-client-ip": `192.0.2.${i + 1}` },
          body: JSON.stringify({ email: EMAIL, password: "wrong-password" }),
        })
        .then((r) => r.status);
      expect(status).toBe(401);
    }
    expect(await attempt(t.agent({ ip }), TEST_PASSWORD)).toBe(429);
    expect(await t.db.select().from(schema.authRateLimits).where(like(schema.authRateLimits.key, "192.0.2.%"))).toEqual(
      [],
    );
  });
});
