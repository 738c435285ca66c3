import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { latestEmail, signedInAs, signUpVerified, TEST_PASSWORD, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { ALWAYS, grantCredits, person, slotIn } from "../tutoring/testing.ts";

const t = await useTestApp();

const _HOUR = 60 * 60_000;
const auditRows = (action: string, targetId?: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), targetId ? eq(schema.auditLog.targetId, targetId) : undefined));

describe("admin password resets", () => {
  it("refuses to send a reset to another admin: nothing emailed, nothing audited, their password unchanged", async () => {
    const a = await signedInAs(t, "admin", "admin-a@example.com");
    const b = await signedInAs(t, "admin", "admin-b@example.com");

    expect(await trpcError(a.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: b.user.id }))).toMatchObject({
      status: 409,
      appCode: "CANNOT_RESET_ADMIN",
    });
    // Not even for oneself through the console: an admin uses the sign-in page like anyone else.
    expect(await trpcError(a.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: a.user.id }))).toMatchObject({
      status: 409,
      appCode: "CANNOT_RESET_ADMIN",
    });
    await expect(latestEmail(t.db, b.email, "reset-password")).rejects.toThrow(/no reset-password email/);
    expect(await auditRows("user.password_reset.send", b.user.id)).toEqual([]);
    const signIn = await t.agent().authPost("/sign-in/email", { email: b.email, password: TEST_PASSWORD });
    expect(signIn.status).toBe(200);
  });

  it("withholds another admin's reset link in the outbox even where links stay readable (no SMTP)", async () => {
    const a = await signedInAs(t, "admin", "outbox-a@example.com");
    const b = await signedInAs(t, "admin", "outbox-b@example.com");
    // Anyone may ask for a reset by email on the sign-in page, admin A included.
    const asked = await t.agent().authPost("/request-password-reset", { email: b.email, redirectTo: "/reset" });
    expect(asked.status).toBe(200);
    const stored = await latestEmail(t.db, b.email, "reset-password");
    expect(stored.textBody).toMatch(/token|reset/i);

    const seenBy = async (admin: typeof a) =>
      (await admin.agent.trpc.admin.outbox.list.query({ to: b.email, page: 1, pageSize: 10 })).items.find(
        (i) => i.template === "reset-password",
      );
    const seenByA = await seenBy(a);
    expect(seenByA).toMatchObject({ redacted: true });
    expect(seenByA?.textBody).not.toContain(stored.textBody.match(/https?:\/\/\S+/)?.[0] ?? "no link");
    expect(seenByA?.htmlBody).not.toMatch(/href=/);
    // Admin B reads their own email in full.
    expect((await seenBy(b))?.textBody).toBe(stored.textBody);
  });

  it("protects a demoted admin for a while: demote, then reset, is no way in", async () => {
    const a = await signedInAs(t, "admin", "demote-a@example.com");
    const b = await signedInAs(t, "admin", "demote-b@example.com");
    await a.agent.trpc.admin.users.setRole.mutate({ userId: b.user.id, role: "learner" });
    expect(await trpcError(a.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: b.user.id }))).toMatchObject({
      status: 409,
      appCode: "CANNOT_RESET_ADMIN",
    });
    await t.agent().authPost("/request-password-reset", { email: b.email, redirectTo: "/reset" });
    const listed = await a.agent.trpc.admin.outbox.list.query({ to: b.email, page: 1, pageSize: 10 });
    expect(listed.items.find((i) => i.template === "reset-password")).toMatchObject({ redacted: true });
  });

  it("still sends one to a learner (and audits it)", async () => {
    const admin = await signedInAs(t, "admin");
    const learner = await signUpVerified(t, { email: "reset-learner@example.com" });
    expect(await admin.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: learner.user.id })).toEqual({
      sent: true,
    });
    expect((await latestEmail(t.db, "reset-learner@example.com", "reset-password")).template).toBe("reset-password");
    expect(await auditRows("user.password_reset.send", learner.user.id)).toHaveLength(1);
  });
});

describe("auditing while impersonating", () => {
  it("names the admin as well as the user on what is done in the user's name, and the audit page shows both", async () => {
    const admin = await signedInAs(t, "admin", "behind@example.com");
    const observer = await signedInAs(t, "admin");
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const learner = await person(t, "learner", { name: "Ivy Impersonated" });
    await grantCredits(t, learner.user.id, 2);

    // The learner books for themselves: no impersonator on that row.
    const own = await learner.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
    });
    // The admin, as the learner, books another one.
    await admin.agent.trpc.admin.users.impersonate.mutate({ userId: learner.user.id });
    const asLearner = await admin.agent.trpc.tutoring.sessions.book.mutate({
      teacherId: teacher.user.id,
      startsAt: slotIn(60),
    });
    await admin.agent.trpc.admin.users.stopImpersonating.mutate();

    const [ownRow] = await auditRows("tutoring.session.book", own.id);
    expect(ownRow).toMatchObject({ actorId: learner.user.id, impersonatorId: null });
    const [impersonatedRow] = await auditRows("tutoring.session.book", asLearner.id);
    expect(impersonatedRow).toMatchObject({ actorId: learner.user.id, impersonatorId: admin.user.id });
    // Start and stop are the admin's own acts: the admin is the actor, with no one "behind" them.
    for (const action of ["user.impersonate.start", "user.impersonate.stop"]) {
      expect(await auditRows(action, learner.user.id), action).toMatchObject([
        { actorId: admin.user.id, impersonatorId: null },
      ]);
    }

    const page = await observer.agent.trpc.admin.audit.list.query({ action: "tutoring.session.book" });
    const entry = page.items.find((item) => item.targetId === asLearner.id);
    expect(entry).toMatchObject({
      actor: { id: learner.user.id, name: "Ivy Impersonated" },
      impersonator: { id: admin.user.id, email: "behind@example.com" },
    });
    expect(page.items.find((item) => item.targetId === own.id)).toMatchObject({ impersonator: null });
  });
});
