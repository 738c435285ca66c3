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
    expect(JSON.stringify(error.zodError)).toContain("Unknown time zone");
  });

  it("refuses profile changes when signed out", async () => {
    const error = await trpcError(
      t.agent().trpc.account.updateProfile.mutate({ name: "x", timezone: "UTC", locale: "en" }),
    );
    expect(error).toMatchObject({ status: 401, appCode: "UNAUTHENTICATED" });
  });
});
