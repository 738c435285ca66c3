import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { latestEmail, signUpVerified, type TestApp, tokenFromEmail } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();

const NEW_PASSWORD = "a-brand-new-passphrase";

async function signIn(app: TestApp, email: string, password: string) {
  const agent = app.agent();
  const response = await agent.authPost("/sign-in/email", { email, password });
  return { agent, status: response.status, body: (await response.json()) as { code?: string } };
}

async function sessionsOf(email: string) {
  const [user] = await t.db.select().from(schema.users).where(eq(schema.users.email, email));
  if (!user) throw new Error(`no user ${email}`);
  return t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, user.id));
}

describe("password reset through the emailed link", () => {
  it("sets the new password, refuses the old one, signs out every session and burns the token", async () => {
    const email = "reset@example.com";
    const { agent: laptop, password } = await signUpVerified(t, { email });
    const phone = (await signIn(t, email, password)).agent;
    expect(await phone.trpc.account.me.query()).toMatchObject({ email });
    expect(await sessionsOf(email)).toHaveLength(2);

    const stranger = t.agent();
    const requested = await stranger.authPost("/request-password-reset", { email });
    expect(requested.status).toBe(200);
    const emailed = await latestEmail(t.db, email, "reset-password");
    expect(emailed.subject).toBe("Reset your Lectern password");
    expect(emailed.textBody).toContain("http://localhost:5173/reset-password?token=");
    const token = await tokenFromEmail(t.db, email, "reset-password");
    // The database keeps only a hash of the token: reading the table gives no way in.
    const stored = await t.db.select().from(schema.authVerifications);
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(token);

    const reset = await stranger.authPost("/reset-password", { newPassword: NEW_PASSWORD, token });
    expect(reset.status).toBe(200);
    expect((await latestEmail(t.db, email, "password-changed")).subject).toBe("Your Lectern password was changed");

    const old = await signIn(t, email, password);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe("INVALID_EMAIL_OR_PASSWORD");
    // Both sessions that existed before the reset are gone.
    expect(await laptop.trpc.account.me.query()).toBeNull();
    expect(await phone.trpc.account.me.query()).toBeNull();

    const fresh = await signIn(t, email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(await fresh.agent.trpc.account.me.query()).toMatchObject({ email });

    // The link works once: replaying it cannot set the password again.
    const replay = await stranger.authPost("/reset-password", { newPassword: "attacker-chosen-pass", token });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { code: string }).code).toBe("INVALID_TOKEN");
    expect((await signIn(t, email, "attacker-chosen-pass")).status).toBe(401);
    expect((await signIn(t, email, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses a made-up token and a too-short new password without changing anything", async () => {
    const email = "reset-bad@example.com";
    const { password } = await signUpVerified(t, { email });
    const agent = t.agent();

    const madeUp = await agent.authPost("/reset-password", { newPassword: NEW_PASSWORD, token: "not-a-real-token" });
    expect(madeUp.status).toBe(400);
    expect(((await madeUp.json()) as { code: string }).code).toBe("INVALID_TOKEN");

    await agent.authPost("/request-password-reset", { email });
    const token = await tokenFromEmail(t.db, email, "reset-password");
    const short = await agent.authPost("/reset-password", { newPassword: "short", token });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { code: string }).code).toBe("PASSWORD_TOO_SHORT");

    expect((await signIn(t, email, password)).status).toBe(200);
  });

  it("answers the same for an unknown address and sends no email", async () => {
    const before = await t.db.select().from(schema.emailOutbox);
    const response = await t.agent().authPost("/request-password-reset", { email: "nobody@example.com" });
    expect(response.status).toBe(200);
    expect(await t.db.select().from(schema.emailOutbox)).toHaveLength(before.length);
  });
});

describe("changing the password", () => {
  it("with revokeOtherSessions signs out the other sessions and keeps this one", async () => {
    const email = "change@example.com";
    const { agent: laptop, password } = await signUpVerified(t, { email });
    const phone = (await signIn(t, email, password)).agent;

    const changed = await laptop.authPost("/change-password", {
      currentPassword: password,
      newPassword: NEW_PASSWORD,
      revokeOtherSessions: true,
    });
    expect(changed.status).toBe(200);
    // The owner hears of it, in case it was not them.
    expect((await latestEmail(t.db, email, "password-changed")).subject).toBe("Your Lectern password was changed");

    expect(await laptop.trpc.account.me.query()).toMatchObject({ email });
    expect(await phone.trpc.account.me.query()).toBeNull();
    expect(await sessionsOf(email)).toHaveLength(1);
    expect((await signIn(t, email, password)).status).toBe(401);
    expect((await signIn(t, email, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses a wrong current password and leaves the password and sessions alone", async () => {
    const email = "change-wrong@example.com";
    const { agent, password } = await signUpVerified(t, { email });
    const other = (await signIn(t, email, password)).agent;

    const refused = await agent.authPost("/change-password", {
      currentPassword: "not-my-password",
      newPassword: NEW_PASSWORD,
      revokeOtherSessions: true,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe("INVALID_PASSWORD");
    await expect(latestEmail(t.db, email, "password-changed")).rejects.toThrow(/no password-changed email/);

    expect(await other.trpc.account.me.query()).toMatchObject({ email });
    expect((await signIn(t, email, password)).status).toBe(200);
  });

  it("is refused when signed out", async () => {
    const response = await t.agent().authPost("/change-password", {
      currentPassword: "whatever-it-was",
      newPassword: NEW_PASSWORD,
    });
    expect(response.status).toBe(401);
  });
});
