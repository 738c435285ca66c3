import { USER_SORT_FIELDS } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { latestEmail, signedInAs, signUpVerified, tokenFromEmail, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";

const t = await useTestApp();
const admin = await signedInAs(t, "admin", "root@example.com");

const auditRows = () => t.db.select().from(schema.auditLog);
const userRow = async (id: string) => {
  const [row] = await t.db.select().from(schema.users).where(eq(schema.users.id, id));
  return row;
};

describe("searching users", () => {
  // The world: users inserted directly (the search is the rule under test, not sign-up).
  const fixtures = [
    { name: "Srch Anna", email: "srch-anna@example.com", role: "learner", banned: false },
    { name: "Srch Bela", email: "srch-bela@example.com", role: "teacher", banned: false },
    { name: "Srch Cleo", email: "srch-cleo@example.com", role: "learner", banned: true },
    { name: "Srch Dara", email: "srch-dara@example.com", role: "admin", banned: false },
    { name: "Srch Same", email: "srch-same1@example.com", role: "learner", banned: false },
    { name: "Srch Same", email: "srch-same2@example.com", role: "teacher", banned: false },
    { name: "Srch Same", email: "srch-same3@example.com", role: "learner", banned: true },
    { name: "Srch Tova", email: "srch-tova@example.com", role: "teacher", banned: false },
    { name: "Srch Umar", email: "srch-umar@example.com", role: "learner", banned: false },
    { name: "Srch Vera", email: "srch-vera@example.com", role: "learner", banned: false },
  ].map((f, i) => ({
    ...f,
    id: crypto.randomUUID(),
    emailVerified: true,
    // Shuffled creation times, with one tie, so no field's order follows insertion order.
    createdAt: new Date(Date.UTC(2025, 0, 1 + ((i * 7) % 10) - (i === 9 ? 1 : 0))),
  }));
  const literal = [
    { id: crypto.randomUUID(), name: "Lit 100% Done", email: "lit-percent@example.com" },
    { id: crypto.randomUUID(), name: "Lit under_score", email: "lit-underscore@example.com" },
    { id: crypto.randomUUID(), name: "Lit plain", email: "lit-plain@example.com" },
  ];

  beforeAll(async () => {
    await t.db.insert(schema.users).values([...fixtures, ...literal]);
  });

  const search = (input: Parameters<typeof admin.agent.trpc.admin.users.search.query>[0]) =>
    admin.agent.trpc.admin.users.search.query(input);

  it("matches name or email case-insensitively", async () => {
    const byName = await search({ query: "SRCH ANNA" });
    expect(byName.items.map((u) => u.email)).toEqual(["srch-anna@example.com"]);
    const byEmail = await search({ query: "Srch-Bela@EXAMPLE" });
    expect(byEmail.items.map((u) => u.name)).toEqual(["Srch Bela"]);
    const all = await search({ query: "srch", pageSize: 100 });
    expect(all.total).toBe(fixtures.length);
  });

  it("takes % and _ literally", async () => {
    expect((await search({ query: "%" })).items.map((u) => u.id)).toEqual([literal[0]?.id]);
    expect((await search({ query: "_" })).items.map((u) => u.id)).toEqual([literal[1]?.id]);
    expect((await search({ query: "lit%done" })).total).toBe(0);
    expect((await search({ query: "lit_plain" })).total).toBe(0);
  });

  it("pages through ties without overlap or gaps", async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const result = await search({ query: "srch", sortBy: "name", sortDir: "asc", page, pageSize: 3 });
      expect(result).toMatchObject({ total: fixtures.length, page, pageSize: 3 });
      expect(result.items.length).toBe(page === 4 ? 1 : 3);
      seen.push(...result.items.map((u) => u.id));
    }
    expect(new Set(seen).size).toBe(fixtures.length);
    expect(new Set(seen)).toEqual(new Set(fixtures.map((f) => f.id)));
    expect((await search({ query: "srch", page: 5, pageSize: 3 })).items).toEqual([]);
  });

  for (const sortBy of USER_SORT_FIELDS) {
    for (const sortDir of ["asc", "desc"] as const) {
      it(`sorts by ${sortBy} ${sortDir}, ties broken by id`, async () => {
        const result = await search({ query: "srch", sortBy, sortDir, pageSize: 100 });
        const sign = sortDir === "asc" ? 1 : -1;
        const key = (u: (typeof fixtures)[number]) => (sortBy === "createdAt" ? u.createdAt.getTime() : u[sortBy]);
        const expected = [...fixtures].sort((a, b) => {
          const [x, y] = [key(a), key(b)];
          if (x !== y) return x < y ? -sign : sign;
          return a.id < b.id ? -1 : 1;
        });
        expect(result.items.map((u) => u.id)).toEqual(expected.map((u) => u.id));
      });
    }
  }

  it("filters by role and by status", async () => {
    const teachers = await search({ query: "srch", role: "teacher", pageSize: 100 });
    expect(teachers.items.map((u) => u.email).sort()).toEqual(
      fixtures
        .filter((f) => f.role === "teacher")
        .map((f) => f.email)
        .sort(),
    );
    const disabled = await search({ query: "srch", status: "disabled", pageSize: 100 });
    expect(disabled.items.every((u) => u.banned)).toBe(true);
    expect(disabled.total).toBe(fixtures.filter((f) => f.banned).length);
    const activeLearners = await search({ query: "srch", role: "learner", status: "active", pageSize: 100 });
    expect(activeLearners.items.map((u) => u.email).sort()).toEqual(
      fixtures
        .filter((f) => f.role === "learner" && !f.banned)
        .map((f) => f.email)
        .sort(),
    );
  });
});

describe("reading one user", () => {
  it("returns the profile with sessions and recent audit", async () => {
    const { user } = await signUpVerified(t, { name: "Gina Get", email: "gina@example.com" });
    const got = await admin.agent.trpc.admin.users.get.query({ userId: user.id });
    expect(got).toMatchObject({ id: user.id, email: "gina@example.com", role: "learner", banned: false });
    expect(got.activeSessions).toBe(1);
    expect(got.recentAudit).toEqual([]);
  });

  it("answers 404 USER_NOT_FOUND for an unknown id", async () => {
    const error = await trpcError(admin.agent.trpc.admin.users.get.query({ userId: crypto.randomUUID() }));
    expect(error).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
  });

  it("treats text Postgres cannot store as bad input, not a server error", async () => {
    const error = await trpcError(admin.agent.trpc.admin.users.get.query({ userId: "nul\u0000byte" }));
    expect(error).toMatchObject({ status: 400, appCode: "BAD_REQUEST" });
  });
});

describe("changing a role", () => {
  it("changes it, takes effect on the user's next request, and audits before/after", async () => {
    const target = await signUpVerified(t, { email: "promote@example.com" });
    const updated = await admin.agent.trpc.admin.users.setRole.mutate({ userId: target.user.id, role: "teacher" });
    expect(updated.role).toBe("teacher");
    expect((await userRow(target.user.id))?.role).toBe("teacher");
    expect(await target.agent.trpc.account.me.query()).toMatchObject({ role: "teacher" });

    const rows = (await auditRows()).filter((r) => r.action === "user.role.change" && r.targetId === target.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: admin.user.id,
      targetType: "user",
      before: { role: "learner" },
      after: { role: "teacher" },
      ipAddress: admin.agent.ip,
    });

    // Setting the role it already has changes nothing and writes nothing.
    await admin.agent.trpc.admin.users.setRole.mutate({ userId: target.user.id, role: "teacher" });
    expect((await auditRows()).filter((r) => r.targetId === target.user.id)).toHaveLength(1);
  });

  it("refuses an admin changing their own role or disabling themselves (409), writing nothing", async () => {
    const before = (await auditRows()).length;
    expect(
      await trpcError(admin.agent.trpc.admin.users.setRole.mutate({ userId: admin.user.id, role: "learner" })),
    ).toMatchObject({ status: 409, appCode: "CANNOT_CHANGE_OWN_ROLE" });
    expect(
      await trpcError(admin.agent.trpc.admin.users.disable.mutate({ userId: admin.user.id, reason: "oops" })),
    ).toMatchObject({ status: 409, appCode: "CANNOT_DISABLE_SELF" });
    expect(await userRow(admin.user.id)).toMatchObject({ role: "admin", banned: false });
    expect(await auditRows()).toHaveLength(before);
    expect(await admin.agent.trpc.account.me.query()).toMatchObject({ role: "admin" });
  });

  it("answers 404 for an unknown user", async () => {
    const error = await trpcError(
      admin.agent.trpc.admin.users.setRole.mutate({ userId: crypto.randomUUID(), role: "teacher" }),
    );
    expect(error).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
  });
});

describe("bad input", () => {
  it("is refused with 400 VALIDATION_FAILED, field errors, and nothing written", async () => {
    const target = await signUpVerified(t, { email: "untouched@example.com" });
    const auditBefore = (await auditRows()).length;

    const pageSize = await trpcError(admin.agent.trpc.admin.users.search.query({ pageSize: 1000 }));
    expect(pageSize).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(pageSize.issues).toMatchObject([{ path: ["pageSize"], message: expect.any(String) }]);

    const role = await trpcError(
      admin.agent.trpc.admin.users.setRole.mutate({
        userId: target.user.id,
        role: "superuser" as "admin",
      }),
    );
    expect(role).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    expect(role.issues).toMatchObject([{ path: ["role"], message: expect.any(String) }]);

    for (const reason of ["", "   "]) {
      const empty = await trpcError(admin.agent.trpc.admin.users.disable.mutate({ userId: target.user.id, reason }));
      expect(empty).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
      expect(empty.issues).toMatchObject([{ path: ["reason"], message: "Required" }]);
    }

    expect(await userRow(target.user.id)).toMatchObject({ role: "learner", banned: false });
    expect(await auditRows()).toHaveLength(auditBefore);
    expect(await target.agent.trpc.account.me.query()).toMatchObject({ email: "untouched@example.com" });
  });
});

describe("sending a password reset", () => {
  it("puts a working reset link in the user's outbox and audits it", async () => {
    const target = await signUpVerified(t, { email: "forgetful@example.com" });
    const result = await admin.agent.trpc.admin.users.sendPasswordReset.mutate({ userId: target.user.id });
    expect(result).toEqual({ sent: true });

    const email = await latestEmail(t.db, "forgetful@example.com", "reset-password");
    expect(email).toMatchObject({ userId: target.user.id, status: "queued", subject: "Reset your Lectern password" });
    const [row] = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "user.password_reset.send"), eq(schema.auditLog.targetId, target.user.id)));
    expect(row).toMatchObject({ actorId: admin.user.id, targetType: "user" });

    const token = await tokenFromEmail(t.db, "forgetful@example.com", "reset-password");
    const reset = await t.agent().authPost("/reset-password", { newPassword: "chosen-by-the-user", token });
    expect(reset.status).toBe(200);
  });
});

describe("the audit log", () => {
  it("filters by action, actor, target and date range", async () => {
    const second = await signedInAs(t, "admin", "second-admin@example.com");
    const a = await signUpVerified(t, { email: "audit-a@example.com" });
    const b = await signUpVerified(t, { email: "audit-b@example.com" });
    await admin.agent.trpc.admin.users.setRole.mutate({ userId: a.user.id, role: "teacher" });
    await second.agent.trpc.admin.users.disable.mutate({ userId: b.user.id, reason: "spam" });
    await second.agent.trpc.admin.users.enable.mutate({ userId: b.user.id });

    const list = admin.agent.trpc.admin.audit.list.query;
    const bySecond = await list({ actorId: second.user.id });
    expect(bySecond.items.map((r) => r.action)).toEqual(["user.enable", "user.disable"]);
    expect(bySecond.items[0]?.actor).toEqual({
      id: second.user.id,
      name: "A admin",
      email: "second-admin@example.com",
    });

    const onB = await list({ targetId: b.user.id });
    expect(onB.total).toBe(2);
    expect(onB.items.every((r) => r.targetId === b.user.id)).toBe(true);

    const disables = await list({ action: "disable" });
    expect(disables.items.length).toBeGreaterThan(0);
    expect(disables.items.every((r) => r.action.includes("disable"))).toBe(true);
    expect((await list({ action: "user.role.change", targetId: a.user.id })).total).toBe(1);

    const all = await list({ pageSize: 100 });
    const times = all.items.map((r) => r.createdAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x)); // newest first
    const pivot = all.items.find((r) => r.action === "user.disable" && r.targetId === b.user.id);
    if (!pivot) throw new Error("missing disable row");
    const since = await list({ from: pivot.createdAt, pageSize: 100 });
    expect(since.total).toBe(all.items.filter((r) => r.createdAt >= pivot.createdAt).length);
    expect(since.items.some((r) => r.id === pivot.id)).toBe(true);
    const until = await list({ to: pivot.createdAt, pageSize: 100 });
    expect(until.items.every((r) => r.createdAt <= pivot.createdAt)).toBe(true);
    expect(until.total + since.total - 1).toBeLessThanOrEqual(all.total);
    expect((await list({ from: new Date(Date.now() + 60_000) })).items).toEqual([]);
  });
});

describe("the outbox", () => {
  it("lists emails, filtered by recipient case-insensitively", async () => {
    await signUpVerified(t, { email: "mailbox-one@example.com" });
    await signUpVerified(t, { email: "mailbox-two@example.com" });
    const one = await admin.agent.trpc.admin.outbox.list.query({ to: "MAILBOX-ONE@" });
    expect(one.total).toBe(1);
    expect(one.items[0]).toMatchObject({ toAddress: "mailbox-one@example.com", template: "verify-email" });
    const both = await admin.agent.trpc.admin.outbox.list.query({ to: "mailbox-" });
    expect(both.items.map((e) => e.toAddress).sort()).toEqual(["mailbox-one@example.com", "mailbox-two@example.com"]);
    const everything = await admin.agent.trpc.admin.outbox.list.query({ pageSize: 100 });
    expect(everything.total).toBe((await t.db.select().from(schema.emailOutbox)).length);
  });
});
