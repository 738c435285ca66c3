import { createHmac } from "node:crypto";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Agent, signedInAs, signUpVerified, TEST_PASSWORD, trpcError } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();
const context = await t.auth.$context;
const COOKIE = context.authCookies.sessionToken.name;
const DAY = 24 * 60 * 60 * 1000;

const sessionsOf = (userId: string) =>
  t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, userId));
const setExpiry = (userId: string, expiresAt: Date) =>
  t.db.update(schema.authSessions).set({ expiresAt }).where(eq(schema.authSessions.userId, userId));
/** better-auth's cookie value for a token, signed with the given secret. */
const signed = (token: string, secret = context.secret) =>
  encodeURIComponent(`${token}.${createHmac("sha256", secret).update(token).digest("base64")}`);
const signedOut = async (agent: Agent) => {
  expect(await agent.trpc.account.me.query()).toBeNull();
  expect(await trpcError(agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 }))).toMatchObject({
    status: 401,
    appCode: "UNAUTHENTICATED",
  });
};

describe("session resolution on tRPC requests", () => {
  it("resolves a signed-in cookie to its session and user", async () => {
    const { agent, user } = await signedInAs(t, "teacher", "resolve@example.com");
    expect(await agent.trpc.account.me.query()).toMatchObject({
      id: user.id,
      email: "resolve@example.com",
      role: "teacher",
      impersonator: null,
    });
    expect(await agent.trpc.tutoring.sessions.upcoming.query({ page: 1, pageSize: 20 })).toMatchObject({ total: 0 });
  });

  it("treats a tampered signature, a foreign secret and an unknown token as signed out", async () => {
    const { agent, user } = await signUpVerified(t, { email: "tamper@example.com" });
    const [session] = await sessionsOf(user.id);
    const token = session?.token ?? "";
    const genuine = agent.cookies.get(COOKIE) ?? "";
    expect(genuine).toBe(signed(token));

    const tampered = t.agent();
    const sig = decodeURIComponent(genuine).split(".").at(-1) ?? "";
    const flipped = `${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    tampered.cookies.set(COOKIE, encodeURIComponent(`${token}.${flipped}`));
    await signedOut(tampered);

    const foreign = t.agent();
    foreign.cookies.set(COOKIE, signed(token, "another-secret-another-secret-another-secret"));
    await signedOut(foreign);

    const unknown = t.agent();
    unknown.cookies.set(COOKIE, signed("no-such-session-token"));
    await signedOut(unknown);

    // The genuine cookie still works.
    expect(await agent.trpc.account.me.query()).toMatchObject({ id: user.id });
  });

  it("treats an expired session as signed out", async () => {
    const { agent, user } = await signUpVerified(t, { email: "expired@example.com" });
    await setExpiry(user.id, new Date(Date.now() - 60_000));
    await signedOut(agent);
  });

  it("treats a disabled user as signed out even if a session row is left", async () => {
    const { agent, user } = await signUpVerified(t, { email: "banned@example.com" });
    await t.db.update(schema.users).set({ banned: true }).where(eq(schema.users.id, user.id));
    await signedOut(agent);
    // A ban whose end has passed no longer holds (as better-auth's admin plugin treats it).
    await t.db
      .update(schema.users)
      .set({ banExpires: new Date(Date.now() - 60_000) })
      .where(eq(schema.users.id, user.id));
    expect(await agent.trpc.account.me.query()).toMatchObject({ id: user.id });
  });

  it("lets better-auth slide a session due for refresh, with the renewed cookie on the response", async () => {
    const { agent, user } = await signUpVerified(t, { email: "slide@example.com" });
    // Not due yet (refreshed at most once per updateAge): nothing is written.
    const [fresh] = await sessionsOf(user.id);
    await agent.trpc.account.me.query();
    expect((await sessionsOf(user.id))[0]?.expiresAt).toEqual(fresh?.expiresAt);

    await setExpiry(user.id, new Date(Date.now() + 2 * DAY));
    const response = await agent.fetch("/api/trpc/account.me");
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
    expect(cookie).toMatch(/Max-Age=604800/i);
    const [slid] = await sessionsOf(user.id);
    expect(slid?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * DAY);
    expect(await agent.trpc.account.me.query()).toMatchObject({ id: user.id });
  });

  it("never extends a 'don't remember me' session", async () => {
    await signUpVerified(t, { email: "forget@example.com" });
    const agent = t.agent();
    const signIn = await agent.authPost("/sign-in/email", {
      email: "forget@example.com",
      password: TEST_PASSWORD,
      rememberMe: false,
    });
    expect(signIn.status).toBe(200);
    const me = await agent.trpc.account.me.query();
    const expiresAt = new Date(Date.now() + 2 * DAY);
    await setExpiry(me?.id ?? "", expiresAt);
    expect(await agent.trpc.account.me.query()).toMatchObject({ email: "forget@example.com" });
    expect((await sessionsOf(me?.id ?? "")).every((s) => s.expiresAt.getTime() === expiresAt.getTime())).toBe(true);
  });

  it("keeps an impersonation to its fixed lifetime, even without the 'don't remember me' cookie", async () => {
    const admin = await signedInAs(t, "admin", "imp-admin@example.com");
    const learner = await signUpVerified(t, { email: "imp-learner@example.com" });
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id });
    admin.agent.cookies.delete(context.authCookies.dontRememberToken.name);
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({
      id: learner.user.id,
      impersonator: { id: admin.user.id },
    });
    const [impersonation] = (await sessionsOf(learner.user.id)).filter((s) => s.impersonatedBy);
    expect(impersonation?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60 * 1000 + 5_000);
  });

  it("reads the __Secure- cookie when the API is served over https", async () => {
    await signUpVerified(t, { email: "https@example.com" });
    const secure = t.instance({ API_URL: "https://api.example.com" });
    const secureCookie = (await secure.auth.$context).authCookies.sessionToken.name;
    expect(secureCookie).toBe(`__Secure-${COOKIE}`);
    const agent = secure.agent();
    const signIn = await agent.authPost("/sign-in/email", { email: "https@example.com", password: TEST_PASSWORD });
    expect(signIn.status).toBe(200);
    expect(agent.cookies.has(secureCookie)).toBe(true);
    expect(await agent.trpc.account.me.query()).toMatchObject({ email: "https@example.com" });
    // The plain name is not what this deployment reads.
    const plain = secure.agent();
    plain.cookies.set(COOKIE, agent.cookies.get(secureCookie) ?? "");
    expect(await plain.trpc.account.me.query()).toBeNull();
  });
});
