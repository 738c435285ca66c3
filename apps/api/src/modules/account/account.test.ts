import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { latestEmail, signUpVerified, TEST_PASSWORD, tokenFromEmail, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";

const t = await useTestApp();

describe("accounts", () => {
  it("signs up, verifies through the emailed link, signs in and reads me", async () => {
    const agent = t.agent();
    const signUp = await agent.authPost("/sign-up/email", {
      name: "Nadia",
      email: "nadia@example.com",
      password: TEST_PASSWORD,
      timezone: "Africa/Cairo",
    });
    expect(signUp.status).toBe(200);
    expect(await agent.trpc.account.me.query()).toBeNull();

    // Unverified: sign-in is refused with a clear code.
    const early = await agent.authPost("/sign-in/email", { email: "nadia@example.com", password: TEST_PASSWORD });
    expect(early.status).toBe(403);
    expect(((await early.json()) as { code: string }).code).toBe("EMAIL_NOT_VERIFIED");

    const email = await latestEmail(t.db, "nadia@example.com", "verify-email");
    expect(email.textBody).toContain("http://localhost:5173/verify-email?token=");
    const token = await tokenFromEmail(t.db, "nadia@example.com", "verify-email");
    expect((await agent.authGet(`/verify-email?token=${token}`)).status).toBeLessThan(400);

    const fresh = t.agent();
    const signIn = await fresh.authPost("/sign-in/email", { email: "nadia@example.com", password: TEST_PASSWORD });
    expect(signIn.status).toBe(200);
    const me = await fresh.trpc.account.me.query();
    expect(me).toMatchObject({
      email: "nadia@example.com",
      role: "learner",
      timezone: "Africa/Cairo",
      impersonator: null,
    });
  });

  it("updates the profile and rejects an unknown time zone with a field error", async () => {
    const { agent } = await signUpVerified(t, { email: "profile@example.com" });
    const updated = await agent.trpc.account.updateProfile.mutate({
      name: "Renamed",
      timezone: "Asia/Tokyo",
      locale: "ar",
    });
    expect(updated).toMatchObject({ name: "Renamed", timezone: "Asia/Tokyo", locale: "ar" });
    const error = await trpcError(
      agent.trpc.account.updateProfile.mutate({ name: "x", timezone: "Mars/Base", locale: "en" }),
    );
    expect(error).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(error.issues).toMatchObject([{ path: ["timezone"], message: "Unknown time zone" }]);
  });

  it("never lets a user choose their own role, at sign-up or later", async () => {
    const agent = t.agent();
    const signUp = await agent.authPost("/sign-up/email", {
      name: "Sneaky",
      email: "sneaky@example.com",
      password: TEST_PASSWORD,
      role: "admin",
    });
    expect(signUp.status).toBe(400);
    expect(await signUp.json()).toMatchObject({ code: "FIELD_NOT_ALLOWED" });
    expect(await t.db.select().from(schema.users).where(eq(schema.users.email, "sneaky@example.com"))).toEqual([]);

    const { agent: user } = await signUpVerified(t, { email: "climber@example.com" });
    const update = await user.authPost("/update-user", { role: "admin" });
    expect(update.status).toBe(400);
    expect(await update.json()).toMatchObject({ code: "FIELD_NOT_ALLOWED" });
    expect(await user.trpc.account.me.query()).toMatchObject({ role: "learner" });
  });

  it("holds better-auth's /update-user to the same time zone and locale rules", async () => {
    const { agent } = await signUpVerified(t, { email: "update-user@example.com" });
    const badZone = await agent.authPost("/update-user", { timezone: "Mars/Base" });
    expect(badZone.status).toBe(400);
    const badLocale = await agent.authPost("/update-user", { locale: "xx" });
    expect(badLocale.status).toBe(400);
    expect(await agent.trpc.account.me.query()).toMatchObject({ timezone: "UTC", locale: "en" });

    const ok = await agent.authPost("/update-user", { timezone: "Africa/Lagos", locale: "ar", name: "Ade" });
    expect(ok.status).toBe(200);
    expect(await agent.trpc.account.me.query()).toMatchObject({ timezone: "Africa/Lagos", locale: "ar", name: "Ade" });
  });

  it("a verification link signs in only the first time; a made-up one is refused", async () => {
    const agent = t.agent();
    await agent.authPost("/sign-up/email", { name: "Once", email: "once@example.com", password: TEST_PASSWORD });
    const forged = await t.agent().authGet("/verify-email?token=made-up");
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: "INVALID_TOKEN" });
    const token = await tokenFromEmail(t.db, "once@example.com", "verify-email");
    expect((await agent.authGet(`/verify-email?token=${token}`)).status).toBe(200);
    const [row] = await t.db.select().from(schema.users).where(eq(schema.users.email, "once@example.com"));
    expect(row?.emailVerified).toBe(true);
    expect(agent.cookies.size).toBe(1);
    // Someone who finds the used link later does not get a session from it.
    const finder = t.agent();
    expect((await finder.authGet(`/verify-email?token=${token}`)).status).toBe(200);
    expect(finder.cookies.size).toBe(0);
    expect(await finder.trpc.account.me.query()).toBeNull();
  });

  it("refuses profile changes when signed out", async () => {
    const error = await trpcError(
      t.agent().trpc.account.updateProfile.mutate({ name: "x", timezone: "UTC", locale: "en" }),
    );
    expect(error).toMatchObject({ status: 401, appCode: "UNAUTHENTICATED" });
  });
});
