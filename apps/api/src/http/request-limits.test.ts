import { PAGE_MAX, TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rawTrpc, signUpVerified, trpcError } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp({ REQUEST_BODY_LIMIT_BYTES: "4096" });

const rename = (name: string) => ({ name, timezone: "UTC", locale: "en" as const });

async function nameOf(userId: string) {
  const [row] = await t.db.select({ name: schema.users.name }).from(schema.users).where(eq(schema.users.id, userId));
  return row?.name;
}

/** The error of a raw tRPC response, superjson-unwrapped. */
const errorOf = (body: unknown) =>
  (body as { error: { json: { message: string; data: Record<string, unknown> } } }).error.json;

describe("request body size", () => {
  it("refuses a tRPC body over the limit with 413 PAYLOAD_TOO_LARGE, readable by the tRPC client, and changes nothing", async () => {
    const { agent, user } = await signUpVerified(t, { name: "Original", email: "big-body@example.com" });
    const huge = rename("x".repeat(5000));
    const response = await agent.fetch("/api/trpc/account.updateProfile", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: huge }),
    });
    expect(response.status).toBe(413);
    expect(errorOf(await response.json()).data).toMatchObject({ appCode: "PAYLOAD_TOO_LARGE", status: 413 });
    expect(await trpcError(agent.trpc.account.updateProfile.mutate(huge))).toMatchObject({
      status: 413,
      appCode: "PAYLOAD_TOO_LARGE",
    });
    // Also when the size is not announced up front (chunked upload).
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1000)));
        controller.close();
      },
    });
    const streamed = await agent.fetch("/api/trpc/account.updateProfile", {
      method: "POST",
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await nameOf(user.id)).toBe("Original");
  });

  it("refuses an auth body over the limit with 413 before better-auth reads it", async () => {
    const response = await t
      .agent()
      .authPost("/sign-up/email", { name: "x".repeat(5000), email: "huge@example.com", password: "long-enough-pw" });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const [created] = await t.db.select().from(schema.users).where(eq(schema.users.email, "huge@example.com"));
    expect(created).toBeUndefined();
  });
});

describe("tRPC batch size", () => {
  const batch = (size: number) =>
    t
      .agent()
      .fetch(`/api/trpc/${Array(size).fill("account.appConfig").join(",")}?batch=1&input=${encodeURIComponent("{}")}`);

  it(`answers a batch of ${TRPC_MAX_BATCH_SIZE} calls, and refuses a larger one with 400 BATCH_TOO_LARGE`, async () => {
    const allowed = await batch(TRPC_MAX_BATCH_SIZE);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toHaveLength(TRPC_MAX_BATCH_SIZE);

    const refused = await batch(TRPC_MAX_BATCH_SIZE + 1);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as unknown;
    const error = errorOf(Array.isArray(body) ? body[0] : body);
    expect(error.data).toMatchObject({ appCode: "BATCH_TOO_LARGE", status: 400 });
    expect(error.message).toBe("Too many calls in one batch request");
  });
});

describe("page numbers", () => {
  it(`accept page ${PAGE_MAX} and refuse a deeper page with 400 VALIDATION_FAILED`, async () => {
    const { agent } = await signUpVerified(t, { email: "pages@example.com" });
    expect(await agent.trpc.credits.history.query({ page: PAGE_MAX })).toBeDefined();
    expect(await agent.trpc.tutoring.sessions.past.query({ page: PAGE_MAX })).toBeDefined();
    for (const call of [
      agent.trpc.credits.history.query({ page: PAGE_MAX + 1 }),
      agent.trpc.tutoring.sessions.past.query({ page: 10_000_000 }),
    ]) {
      expect(await trpcError(call)).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
  });
});

describe("per-user mutation limit", () => {
  it("is shared by two API processes on one database: over the budget answers 429 RATE_LIMITED with Retry-After", async () => {
    const limits = { MUTATION_RATE_LIMIT_MAX: "3", MUTATION_RATE_LIMIT_WINDOW_SECONDS: "60" };
    const first = t.instance(limits);
    const second = t.instance(limits);
    const { agent, user } = await signUpVerified(t, { name: "Original", email: "busy@example.com" });
    const viaFirst = agent.with({ target: first.app });
    const viaSecond = agent.with({ target: second.app });

    expect((await rawTrpc(viaFirst, "mutation", "account.updateProfile", rename("One"))).status).toBe(200);
    expect((await rawTrpc(viaSecond, "mutation", "account.updateProfile", rename("Two"))).status).toBe(200);
    expect((await rawTrpc(viaFirst, "mutation", "account.updateProfile", rename("Three"))).status).toBe(200);

    for (const via of [viaSecond, viaFirst]) {
      const response = await via.fetch("/api/trpc/account.updateProfile", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: rename("Four") }),
      });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(errorOf(await response.json()).data).toMatchObject({ appCode: "RATE_LIMITED", status: 429 });
    }
    expect(await nameOf(user.id)).toBe("Three");
    // Reads are not counted, and another user has a budget of their own.
    expect((await rawTrpc(viaFirst, "query", "account.me")).status).toBe(200);
    const other = await signUpVerified(t, { email: "calm@example.com" });
    expect(
      (await rawTrpc(other.agent.with({ target: second.app }), "mutation", "account.updateProfile", rename("Me")))
        .status,
    ).toBe(200);

    // When the window has passed, the budget is whole again.
    await t.db
      .update(schema.requestRateLimits)
      .set({ windowStartedAt: new Date(Date.now() - 61_000) })
      .where(eq(schema.requestRateLimits.key, `mutations:${user.id}`));
    expect((await rawTrpc(viaSecond, "mutation", "account.updateProfile", rename("Five"))).status).toBe(200);
    expect(await nameOf(user.id)).toBe("Five");
  });
});
