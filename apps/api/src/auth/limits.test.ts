import { IMAGE_URL_MAX, NAME_MAX } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signUpVerified, TEST_PASSWORD } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

const t = await useTestApp();

const userByEmail = async (email: string) =>
  (await t.db.select().from(schema.users).where(eq(schema.users.email, email)))[0];

describe("better-auth's own endpoints obey the contract's limits", () => {
  it("sign-up refuses an over-long name or a non-https image and creates nobody; normal values pass", async () => {
    const cases: [string, Record<string, unknown>][] = [
      ["a 200,000-character name", { name: "n".repeat(200_000) }],
      ["a name one over the limit", { name: "n".repeat(NAME_MAX + 1) }],
      ["a blank name", { name: "   " }],
      ["a javascript: image", { image: "javascript:alert(document.cookie)" }],
      ["an http image", { image: "http://example.com/me.png" }],
      ["an over-long email", { email: `${"e".repeat(300)}@example.com` }],
    ];
    for (const [label, fields] of cases) {
      const body = { name: "Fine Name", email: `limits-${label.replace(/\W+/g, "-")}@example.com`, ...fields };
      const email = String(body.email);
      const response = await t.agent().authPost("/sign-up/email", { ...body, password: TEST_PASSWORD });
      // A body-size limit in front may answer first for the huge name; either way it is a refusal.
      expect(response.status, label).toBeGreaterThanOrEqual(400);
      expect(response.status, label).toBeLessThan(500);
      if (response.status === 400) expect(await response.json(), label).toMatchObject({ code: "VALIDATION_FAILED" });
      expect(await userByEmail(email), label).toBeUndefined();
    }

    const ok = await t.agent().authPost("/sign-up/email", {
      name: "  Nadia Normal  ",
      email: "limits-ok@example.com",
      password: TEST_PASSWORD,
      image: "https://images.example.com/nadia.png",
    });
    expect(ok.status).toBe(200);
    expect(await userByEmail("limits-ok@example.com")).toMatchObject({
      name: "Nadia Normal",
      image: "https://images.example.com/nadia.png",
    });
  });

  it("update-user refuses a 10,000-character name and a javascript: image, changing nothing; normal values pass", async () => {
    const { agent } = await signUpVerified(t, { name: "Uma Update", email: "limits-update@example.com" });
    const cases: [string, Record<string, unknown>][] = [
      ["a 10,000-character name", { name: "n".repeat(10_000) }],
      ["a javascript: image", { image: "javascript:alert(1)" }],
      ["a data: image", { image: "data:image/svg+xml,<svg onload=alert(1)>" }],
      ["an over-long image URL", { image: `https://example.com/${"a".repeat(IMAGE_URL_MAX)}` }],
      ["a valid name with a bad image", { name: "Sneaky", image: "javascript:alert(1)" }],
    ];
    for (const [label, body] of cases) {
      const response = await agent.authPost("/update-user", body);
      expect(response.status, label).toBe(400);
      // The field is named, as in tRPC's validation errors, so the apps show it beside the input.
      const field = "image" in body ? "image" : "name";
      expect(await response.json(), label).toMatchObject({
        code: "VALIDATION_FAILED",
        issues: [expect.objectContaining({ path: [field] })],
      });
    }
    expect(await userByEmail("limits-update@example.com")).toMatchObject({ name: "Uma Update", image: null });

    const ok = await agent.authPost("/update-user", { name: "Uma Renamed", image: "https://cdn.example.com/uma.jpg" });
    expect(ok.status).toBe(200);
    expect(await agent.trpc.account.me.query()).toMatchObject({ name: "Uma Renamed" });
    expect(await userByEmail("limits-update@example.com")).toMatchObject({ image: "https://cdn.example.com/uma.jpg" });
    // Removing the picture is allowed.
    expect((await agent.authPost("/update-user", { image: null })).status).toBe(200);
    expect(await userByEmail("limits-update@example.com")).toMatchObject({ image: null });
  });
});

describe("changing the password", () => {
  it("signs out the user's other sessions on the server even when the client asks not to", async () => {
    const email = "limits-change@example.com";
    const { agent: laptop, password } = await signUpVerified(t, { email });
    const phone = t.agent();
    expect((await phone.authPost("/sign-in/email", { email, password })).status).toBe(200);
    expect(await phone.trpc.account.me.query()).toMatchObject({ email });

    const changed = await laptop.authPost("/change-password", {
      currentPassword: password,
      newPassword: "another-long-passphrase",
      revokeOtherSessions: false,
    });
    expect(changed.status).toBe(200);

    expect(await phone.trpc.account.me.query()).toBeNull();
    expect(await laptop.trpc.account.me.query()).toMatchObject({ email });
    const user = await userByEmail(email);
    expect(
      await t.db
        .select()
        .from(schema.authSessions)
        .where(eq(schema.authSessions.userId, user?.id ?? "")),
    ).toHaveLength(1);
  });
});
