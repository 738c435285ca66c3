import { createHmac } from "node:crypto";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  type Agent,
  rawTrpc,
  sessionChangeHeard,
  signedInAs,
  signUpVerified,
  TEST_ORIGIN,
  TEST_PASSWORD,
} from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();

const rename = (name: string) => ({ name, timezone: "UTC", locale: "en" as const });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const NATIVE_UA = "LecternNative/1.0 (iPhone)";

async function nameOf(userId: string) {
  const [row] = await t.db.select({ name: schema.users.name }).from(schema.users).where(eq(schema.users.id, userId));
  return row?.name;
}

/**
 * A native app or script: no Origin, no cookie jar, its own user agent. Signs in through better-auth
 * and keeps only the token from `set-auth-token`.
 */
async function nativeSignIn(email: string, target: Agent = t.agent({ origin: null })) {
  const response = await target.fetch("/api/auth/sign-in/email", {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": NATIVE_UA },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
  const token = response.headers.get("set-auth-token");
  if (!token) throw new Error("no set-auth-token on sign-in");
  // A native client keeps no cookies: whatever better-auth set is dropped.
  target.cookies.clear();
  return { token, native: target };
}

describe("bearer tokens for native apps and scripts", () => {
  it("sign-in hands the token over in set-auth-token, readable by a browser through CORS", async () => {
    await signUpVerified(t, { email: "bearer-signin@example.com" });
    const { token } = await nativeSignIn("bearer-signin@example.com");
    // The signed value (token.signature), as in the session cookie: not the database's token alone.
    const [raw] = token.split(".");
    const [row] = await t.db
      .select()
      .from(schema.authSessions)
      .where(eq(schema.authSessions.token, raw ?? ""));
    expect(row).toBeDefined();
    expect(token).not.toBe(row?.token);

    const fromWeb = await t.agent().authPost("/sign-in/email", {
      email: "bearer-signin@example.com",
      password: TEST_PASSWORD,
    });
    expect(fromWeb.headers.get("access-control-expose-headers")?.toLowerCase()).toContain("set-auth-token");
    // Preflights allow the Authorization header, for trusted origins only.
    const preflight = (origin: string) =>
      t.app.request("/api/auth/get-session", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
    expect((await preflight(TEST_ORIGIN)).headers.get("access-control-allow-headers")).toContain("authorization");
    expect((await preflight("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets a Node script sign in with fetch's own metadata and no Origin; a browser's cross-site sign-in stays refused", async () => {
    await signUpVerified(t, { email: "bearer-node@example.com" });
    const body = JSON.stringify({ email: "bearer-node@example.com", password: TEST_PASSWORD });
    const signIn = (headers: Record<string, string>) =>
      t.agent({ origin: null }).fetch("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    // What undici (Node's fetch) sends on every request.
    const script = await signIn({ "sec-fetch-mode": "cors" });
    expect(script.status).toBe(200);
    expect(script.headers.get("set-auth-token")).toBeTruthy();
    // A browser always sends Sec-Fetch-Site: its metadata still counts.
    const crossSite = await signIn({ "sec-fetch-site": "cross-site", "sec-fetch-mode": "cors" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-auth-token")).toBeNull();
  });

  it("authenticates tRPC queries and mutations with no Origin and no cookie", async () => {
    const { user } = await signUpVerified(t, { name: "Original", email: "bearer-trpc@example.com" });
    const { token, native } = await nativeSignIn("bearer-trpc@example.com");

    const me = await rawTrpc(native, "query", "account.me", undefined, bearer(token));
    expect(me.status).toBe(200);
    expect(me.data).toMatchObject({ id: user.id, email: "bearer-trpc@example.com" });
    const changed = await rawTrpc(native, "mutation", "account.updateProfile", rename("From the app"), bearer(token));
    expect(changed.status).toBe(200);
    expect(await nameOf(user.id)).toBe("From the app");
    // better-auth's own endpoints take it too.
    const session = await native.fetch("/api/auth/get-session", { headers: bearer(token) });
    expect(await session.json()).toMatchObject({ user: { id: user.id } });
  });

  it("extends a bearer session due for its sliding refresh, sending the app no cookie", async () => {
    const { user } = await signUpVerified(t, { email: "bearer-refresh@example.com" });
    const { token, native } = await nativeSignIn("bearer-refresh@example.com");
    const raw = token.slice(0, token.lastIndexOf("."));
    const soon = new Date(Date.now() + 2 * 24 * 60 * 60 * 1000);
    await t.db.update(schema.authSessions).set({ expiresAt: soon }).where(eq(schema.authSessions.token, raw));

    const response = await native.fetch("/api/trpc/account.me", { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(user.id);
    expect(response.headers.getSetCookie()).toEqual([]);
    const [row] = await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.token, raw));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(soon.getTime());
  });

  it("refuses a tampered, unsigned or foreign-signed token with 401 and changes nothing", async () => {
    const { user } = await signUpVerified(t, { name: "Original", email: "bearer-bad@example.com" });
    const { token, native } = await nativeSignIn("bearer-bad@example.com");
    const raw = token.slice(0, token.lastIndexOf("."));
    const foreign = `${raw}.${createHmac("sha256", "another-secret-of-32-characters!!").update(raw).digest("base64")}`;
    const tampered = `${raw}.${token.endsWith("A") ? `${token.slice(raw.length + 1, -1)}B` : `${token.slice(raw.length + 1, -1)}A`}`;

    for (const bad of [raw, tampered, foreign, `x${token}`]) {
      const list = await rawTrpc(native, "query", "account.tokens.list", undefined, bearer(bad));
      expect(list.status, bad).toBe(401);
      expect(list.appCode).toBe("UNAUTHENTICATED");
      const change = await rawTrpc(native, "mutation", "account.updateProfile", rename("Hacked"), bearer(bad));
      expect(change.status, bad).toBe(401);
      // better-auth (requireSignature) does not take the database's token alone either.
      const session = await native.fetch("/api/auth/get-session", { headers: bearer(bad) });
      expect(await session.json(), bad).toBeNull();
    }
    expect(await nameOf(user.id)).toBe("Original");
    // The real one still works; the URI-encoded form of it too.
    const encoded = encodeURIComponent(token);
    expect((await rawTrpc(native, "query", "account.tokens.list", undefined, bearer(encoded))).status).toBe(200);
  });

  it("keeps cookie rules for any request carrying a cookie: a bearer token never lifts the Origin check", async () => {
    const { agent, user } = await signUpVerified(t, { name: "Original", email: "bearer-cookie@example.com" });
    const { token } = await nativeSignIn("bearer-cookie@example.com");

    // The browser's cookie without Origin: refused, as better-auth refuses it.
    const cookieOnly = agent.with({ origin: null });
    const refused = await rawTrpc(cookieOnly, "mutation", "account.updateProfile", rename("Hacked"));
    expect(refused.status).toBe(403);
    expect(refused.appCode).toBe("CROSS_ORIGIN_REQUEST");
    expect((await cookieOnly.authPost("/update-user", { name: "Hacked" })).status).toBe(403);

    // Cookie and a valid bearer token, no Origin: the cookie's rules apply.
    const both = await rawTrpc(cookieOnly, "mutation", "account.updateProfile", rename("Hacked"), bearer(token));
    expect(both.status).toBe(403);
    expect(both.appCode).toBe("CROSS_ORIGIN_REQUEST");
    const bothAuth = await cookieOnly.fetch("/api/auth/update-user", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify({ name: "Hacked" }),
    });
    expect(bothAuth.status).toBe(403);

    // A bearer token from a page on another site is refused like a cookie would be.
    const foreignPage = t.agent({ origin: "https://evil.example" });
    const fromForeign = await rawTrpc(
      foreignPage,
      "mutation",
      "account.updateProfile",
      rename("Hacked"),
      bearer(token),
    );
    expect(fromForeign.status).toBe(403);
    expect(await nameOf(user.id)).toBe("Original");

    // Reads stay open (no state changes), as before.
    expect((await rawTrpc(cookieOnly, "query", "account.me")).data).toMatchObject({ id: user.id });
  });

  it("signs out with a bearer token and no Origin, and the token stops working", async () => {
    const { user } = await signUpVerified(t, { email: "bearer-signout@example.com" });
    const { token, native } = await nativeSignIn("bearer-signout@example.com");
    const sessionsBefore = await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id));

    const signOut = await native.fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: "{}",
    });
    expect(signOut.status).toBe(200);
    const list = await rawTrpc(native, "query", "account.tokens.list", undefined, bearer(token));
    expect(list.status).toBe(401);
    const sessionsAfter = await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id));
    expect(sessionsAfter).toHaveLength(sessionsBefore.length - 1);
  });

  it("is refused for impersonation, a browser hand-off that keeps the admin's session in a cookie", async () => {
    const admin = await signedInAs(t, "admin", "bearer-admin@example.com");
    const target = await signUpVerified(t, { email: "bearer-impersonated@example.com" });
    const { token, native } = await nativeSignIn(admin.email);
    // The token is the admin's: admin reads work with it.
    const search = await rawTrpc(
      native,
      "query",
      "admin.users.search",
      { query: "bearer-impersonated" },
      bearer(token),
    );
    expect(search.status).toBe(200);
    const refused = await rawTrpc(
      native,
      "mutation",
      "admin.users.impersonate",
      { userId: target.user.id },
      bearer(token),
    );
    expect(refused.status).toBe(403);
    expect(refused.appCode).toBe("COOKIE_SESSION_REQUIRED");
    const impersonations = await t.db
      .select()
      .from(schema.authSessions)
      .where(eq(schema.authSessions.impersonatedBy, admin.user.id));
    expect(impersonations).toHaveLength(0);
  });
});

describe("account.tokens: signed-in sessions and devices", () => {
  it("lists the user's sessions with the current one marked, and never the token", async () => {
    const { agent, user } = await signUpVerified(t, { email: "tokens-list@example.com" });
    await nativeSignIn("tokens-list@example.com");
    const other = await signUpVerified(t, { email: "tokens-list-other@example.com" });

    const list = await agent.trpc.account.tokens.list.query();
    expect(list).toHaveLength(2);
    const current = list.filter((s) => s.current);
    expect(current).toHaveLength(1);
    const app = list.find((s) => !s.current);
    expect(app).toMatchObject({ userAgent: NATIVE_UA, ipAddress: expect.any(String) });
    expect(JSON.stringify(list)).not.toMatch(/token/i);
    const ids = (await t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id))).map(
      (s) => s.id,
    );
    expect(list.map((s) => s.id).sort()).toEqual(ids.sort());
    // Someone else's list holds none of them.
    const theirs = await other.agent.trpc.account.tokens.list.query();
    expect(theirs.some((s) => ids.includes(s.id))).toBe(false);
  });

  it("revoking a token from the list stops it at once, on every API process", async () => {
    const { agent, user } = await signUpVerified(t, { email: "tokens-revoke@example.com" });
    const second = t.instance();
    const { token, native } = await nativeSignIn("tokens-revoke@example.com");
    const onSecond = native.with({ target: second.app, origin: null });
    // Both processes have served the token before.
    expect((await rawTrpc(native, "query", "account.tokens.list", undefined, bearer(token))).status).toBe(200);
    expect((await rawTrpc(onSecond, "query", "account.tokens.list", undefined, bearer(token))).status).toBe(200);

    const app = (await agent.trpc.account.tokens.list.query()).find((s) => !s.current);
    const heardBySecond = sessionChangeHeard(second, user.id);
    expect(await agent.trpc.account.tokens.revoke.mutate({ id: app?.id ?? "" })).toEqual({ revoked: app?.id });
    // This process knew before the revocation returned; the second one hears it as it commits.
    await heardBySecond;

    for (const via of [onSecond, native]) {
      const list = await rawTrpc(via, "query", "account.tokens.list", undefined, bearer(token));
      expect(list.status).toBe(401);
      const change = await rawTrpc(via, "mutation", "account.updateProfile", rename("Gone"), bearer(token));
      expect(change.status).toBe(401);
    }
    // The browser that revoked it is still signed in.
    expect(await agent.trpc.account.tokens.list.query()).toHaveLength(1);
  });

  it("a token can revoke its own session or another of the user's", async () => {
    const { agent } = await signUpVerified(t, { email: "tokens-self@example.com" });
    const { token, native } = await nativeSignIn("tokens-self@example.com");
    const list = await rawTrpc(native, "query", "account.tokens.list", undefined, bearer(token));
    const sessions = list.data as { id: string; current: boolean }[];
    const browser = sessions.find((s) => !s.current);
    const revoked = await rawTrpc(native, "mutation", "account.tokens.revoke", { id: browser?.id }, bearer(token));
    expect(revoked.status).toBe(200);
    expect(await agent.trpc.account.me.query()).toBeNull();
  });

  it("revoking another user's session id is 404 NOT_FOUND and leaves it signed in", async () => {
    const owner = await signUpVerified(t, { email: "tokens-owner@example.com" });
    const intruder = await signUpVerified(t, { email: "tokens-intruder@example.com" });
    const [victimSession] = await owner.agent.trpc.account.tokens.list.query();
    const refused = await rawTrpc(intruder.agent, "mutation", "account.tokens.revoke", { id: victimSession?.id });
    expect(refused.status).toBe(404);
    expect(refused.appCode).toBe("NOT_FOUND");
    const unknown = await rawTrpc(intruder.agent, "mutation", "account.tokens.revoke", { id: crypto.randomUUID() });
    expect(unknown.status).toBe(404);
    expect(await owner.agent.trpc.account.me.query()).toMatchObject({ id: owner.user.id });
    // Signed out callers get 401, not a hint.
    const anonymous = await rawTrpc(t.agent(), "mutation", "account.tokens.revoke", { id: victimSession?.id });
    expect(anonymous.status).toBe(401);
  });

  it("an admin acting as the user cannot revoke the user's devices", async () => {
    const owner = await signUpVerified(t, { email: "tokens-impersonated@example.com" });
    const admin = await signedInAs(t, "admin");
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: owner.user.id });
    const [device] = (await admin.agent.trpc.account.tokens.list.query()).filter((d) => !d.current);
    const refused = await rawTrpc(admin.agent, "mutation", "account.tokens.revoke", { id: device?.id });
    expect(refused.status).toBe(403);
    expect(refused.appCode).toBe("NOT_WHILE_IMPERSONATING");
    expect(await owner.agent.trpc.account.me.query()).toMatchObject({ id: owner.user.id });
  });
});
