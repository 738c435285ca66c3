import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signedInAs, signUpVerified, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";

const t = await useTestApp();

const auditRows = (action: string) => t.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, action));
const sessionsOf = (userId: string) =>
  t.db.select().from(schema.authSessions).where(eq(schema.authSessions.userId, userId));

describe("impersonation", () => {
  it("lets an admin act as a learner, refuses admin work meanwhile, and returns them; start and stop audited", async () => {
    const admin = await signedInAs(t, "admin", "boss@example.com");
    const learner = await signUpVerified(t, { name: "Lena Learner", email: "lena@example.com" });

    const started = await admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id });
    expect(started).toEqual({ userId: learner.user.id, name: "Lena Learner" });

    // The admin's browser now holds the learner's session, flagged with who is behind it.
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({
      id: learner.user.id,
      email: "lena@example.com",
      role: "learner",
      impersonator: { id: admin.user.id, name: "A admin", email: "boss@example.com" },
    });
    const [session] = (await sessionsOf(learner.user.id)).filter((s) => s.impersonatedBy);
    expect(session?.impersonatedBy).toBe(admin.user.id);
    expect(session?.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60 * 1000 + 5_000);
    // The learner's own session is untouched and knows nothing of it.
    expect(await learner.agent.trpc.account.me.query()).toMatchObject({ id: learner.user.id, impersonator: null });

    // While impersonating, the session is the learner's: no admin powers.
    expect(await trpcError(admin.agent.trpc.admin.users.search.query({}))).toMatchObject({
      status: 403,
      appCode: "ADMIN_ONLY",
    });
    expect(await trpcError(admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id }))).toMatchObject(
      { status: 403, appCode: "ADMIN_ONLY" },
    );

    const stopped = await admin.agent.trpc.admin.users.stopImpersonating.mutate();
    expect(stopped).toEqual({ adminId: admin.user.id });
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({
      id: admin.user.id,
      role: "admin",
      impersonator: null,
    });
    expect((await admin.agent.trpc.admin.users.search.query({ query: "lena" })).total).toBe(1);
    // The impersonated session is gone; the learner's own remains.
    expect((await sessionsOf(learner.user.id)).filter((s) => s.impersonatedBy)).toEqual([]);
    expect(await learner.agent.trpc.account.me.query()).toMatchObject({ id: learner.user.id });

    for (const action of ["user.impersonate.start", "user.impersonate.stop"]) {
      const rows = await auditRows(action);
      expect(rows, action).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actorId: admin.user.id,
        targetType: "user",
        targetId: learner.user.id,
        ipAddress: admin.agent.ip,
      });
    }

    // Stopping again is refused: the admin's own session is not an impersonation.
    expect(await trpcError(admin.agent.trpc.admin.users.stopImpersonating.mutate())).toMatchObject({
      status: 403,
      appCode: "NOT_IMPERSONATING",
    });
    expect(await auditRows("user.impersonate.stop")).toHaveLength(1);
  });

  it("does not count an impersonation as the user's sign-in or session; shows who acted in their activity", async () => {
    const admin = await signedInAs(t, "admin", "counter@example.com");
    const observer = await signedInAs(t, "admin", "observer@example.com");
    const learner = await signUpVerified(t, { name: "Counted", email: "counted@example.com" });
    const before = await observer.agent.trpc.admin.users.get.query({ userId: learner.user.id });
    expect(before.activeSessions).toBe(1);

    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id });
    const during = await observer.agent.trpc.admin.users.get.query({ userId: learner.user.id });
    expect(during.activeSessions).toBe(1);
    expect(during.lastSignInAt).toEqual(before.lastSignInAt);
    expect(during.recentAudit[0]).toMatchObject({
      action: "user.impersonate.start",
      actor: { id: admin.user.id, email: "counter@example.com" },
    });
    await admin.agent.trpc.admin.users.stopImpersonating.mutate();
  });

  it("refuses to impersonate another admin (409), opening no session and writing no audit row", async () => {
    const admin = await signedInAs(t, "admin");
    const other = await signedInAs(t, "admin");
    const before = (await auditRows("user.impersonate.start")).length;

    const error = await trpcError(admin.agent.trpc.admin.users.impersonate.mutate({ userId: other.user.id }));
    expect(error).toMatchObject({ status: 409, appCode: "CANNOT_IMPERSONATE_ADMIN" });
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({ id: admin.user.id, impersonator: null });
    expect((await sessionsOf(other.user.id)).filter((s) => s.impersonatedBy)).toEqual([]);
    expect(await auditRows("user.impersonate.start")).toHaveLength(before);
  });

  it("refuses to impersonate a disabled user (409)", async () => {
    const admin = await signedInAs(t, "admin");
    const learner = await signUpVerified(t, { email: "disabled-target@example.com" });
    await admin.agent.trpc.admin.users.disable.mutate({ userId: learner.user.id, reason: "abuse" });
    const before = (await auditRows("user.impersonate.start")).length;

    const error = await trpcError(admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id }));
    expect(error).toMatchObject({ status: 409, appCode: "CANNOT_IMPERSONATE_DISABLED" });
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({ id: admin.user.id, impersonator: null });
    expect(await sessionsOf(learner.user.id)).toEqual([]);
    expect(await auditRows("user.impersonate.start")).toHaveLength(before);
  });

  it("answers 404 for an unknown user", async () => {
    const admin = await signedInAs(t, "admin");
    const error = await trpcError(admin.agent.trpc.admin.users.impersonate.mutate({ userId: crypto.randomUUID() }));
    expect(error).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
  });

  it("can impersonate a teacher too, and the teacher's powers come with it", async () => {
    const admin = await signedInAs(t, "admin");
    const teacher = await signedInAs(t, "teacher");
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: teacher.user.id });
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({
      id: teacher.user.id,
      role: "teacher",
      impersonator: { id: admin.user.id },
    });
    await admin.agent.trpc.admin.users.stopImpersonating.mutate();
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({ id: admin.user.id, impersonator: null });
  });
});
