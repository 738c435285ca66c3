import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DISABLED_MESSAGE } from "../../auth/index.ts";
import { signedInAs, signUpVerified, TEST_PASSWORD, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";

const t = await useTestApp();
const admin = await signedInAs(t, "admin");

const sessionsOf = (userId: string) =>
  t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, userId));
const auditOf = (userId: string) =>
  t.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, userId)).orderBy(schema.auditLog.createdAt);

describe("disabling a user", () => {
  it("ends their sessions, refuses their sign-in with a clear 403, and re-enabling lets them back; both audited", async () => {
    const email = "disable-me@example.com";
    const { agent: laptop, user } = await signUpVerified(t, { email });
    const phone = t.agent();
    expect((await phone.authPost("/sign-in/email", { email, password: TEST_PASSWORD })).status).toBe(200);
    expect(await sessionsOf(user.id)).toHaveLength(2);

    const disabled = await admin.agent.trpc.admin.users.disable.mutate({ userId: user.id, reason: "Chargeback fraud" });
    expect(disabled).toMatchObject({ banned: true, banReason: "Chargeback fraud", activeSessions: 0 });

    // Sessions already open are over at once.
    expect(await sessionsOf(user.id)).toHaveLength(0);
    expect(await laptop.trpc.account.me.query()).toBeNull();
    expect(await phone.trpc.account.me.query()).toBeNull();
    expect(
      await trpcError(laptop.trpc.account.updateProfile.mutate({ name: "x", timezone: "UTC", locale: "en" })),
    ).toMatchObject({ status: 401 });

    // The right password no longer opens a session, and the person is told why.
    const again = t.agent();
    const refused = await again.authPost("/sign-in/email", { email, password: TEST_PASSWORD });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "BANNED_USER", message: DISABLED_MESSAGE });
    expect(DISABLED_MESSAGE).toMatch(/^This account has been disabled/);
    expect(again.cookies.size).toBe(0);
    expect(await sessionsOf(user.id)).toHaveLength(0);

    const enabled = await admin.agent.trpc.admin.users.enable.mutate({ userId: user.id });
    expect(enabled).toMatchObject({ banned: false, banReason: null });
    const back = t.agent();
    expect((await back.authPost("/sign-in/email", { email, password: TEST_PASSWORD })).status).toBe(200);
    expect(await back.trpc.account.me.query()).toMatchObject({ email });

    const audit = await auditOf(user.id);
    expect(audit.map((r) => r.action)).toEqual(["user.disable", "user.enable"]);
    expect(audit[0]).toMatchObject({
      actorId: admin.user.id,
      targetType: "user",
      before: { banned: false, banReason: null },
      after: { banned: true, banReason: "Chargeback fraud", sessionsRevoked: 2 },
      ipAddress: admin.agent.ip,
    });
    expect(audit[1]).toMatchObject({
      actorId: admin.user.id,
      before: { banned: true, banReason: "Chargeback fraud" },
      after: { banned: false },
    });
  });

  it("enabling someone who is not disabled changes nothing and writes no audit row", async () => {
    const { user } = await signUpVerified(t, { email: "never-disabled@example.com" });
    const result = await admin.agent.trpc.admin.users.enable.mutate({ userId: user.id });
    expect(result.banned).toBe(false);
    expect(await auditOf(user.id)).toEqual([]);
  });

  it("answers 404 for an unknown user, writing nothing", async () => {
    const before = (await t.db.select().from(schema.auditLog)).length;
    expect(
      await trpcError(admin.agent.trpc.admin.users.disable.mutate({ userId: "no-such-user", reason: "x" })),
    ).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
    expect(await trpcError(admin.agent.trpc.admin.users.enable.mutate({ userId: "no-such-user" }))).toMatchObject({
      status: 404,
      appCode: "USER_NOT_FOUND",
    });
    expect(await t.db.select().from(schema.auditLog)).toHaveLength(before);
  });
});

describe("better-auth's own admin endpoints", () => {
  it("are not reachable over HTTP, so no admin action skips Lectern's rules and audit log", async () => {
    const { agent: victim, user } = await signUpVerified(t, { email: "backdoor@example.com" });
    const calls: [string, unknown][] = [
      ["/admin/ban-user", { userId: user.id }],
      ["/admin/set-role", { userId: user.id, role: "admin" }],
      ["/admin/set-role", { userId: admin.user.id, role: "learner" }],
      ["/admin/impersonate-user", { userId: user.id }],
      ["/admin/set-user-password", { userId: user.id, newPassword: "taken-over-pass" }],
      ["/admin/remove-user", { userId: user.id }],
      ["/admin/create-user", { email: "ghost@example.com", password: "ghost-password", name: "G", role: "admin" }],
    ];
    for (const [path, body] of calls) {
      expect((await admin.agent.authPost(path, body)).status, path).toBe(404);
    }
    expect((await admin.agent.authGet("/admin/list-users")).status).toBe(404);

    expect(await victim.trpc.account.me.query()).toMatchObject({ role: "learner", impersonator: null });
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({ role: "admin", impersonator: null });
    const [row] = await t.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(row).toMatchObject({ role: "learner", banned: false });
    expect(await t.db.select().from(schema.users).where(eq(schema.users.email, "ghost@example.com"))).toEqual([]);
    expect(await auditOf(user.id)).toEqual([]);
  });
});
