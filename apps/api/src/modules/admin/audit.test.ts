import { describe, expect, it } from "vitest";
import { useTestApp } from "../../testing/vitest.ts";
import { grantCredits, person, slotIn } from "../tutoring/testing.ts";

const t = await useTestApp();

const _HOUR = 3_600_000;

const admin = await person(t, "admin", { name: "Audra Admin", email: "audra@example.com" });
const list = admin.agent.trpc.admin.audit.list.query;

describe("the audit log names people", () => {
  it("shows actors and targets by name and email, and filters by the person a row is about", async () => {
    const learner = await person(t, "learner", { name: "Lina Learner", email: "lina@example.com" });
    const teacher = await person(t, "teacher", { name: "Tariq Teacher", email: "tariq@example.com" });
    const bystander = await person(t, "learner", { name: "Bo Bystander", email: "bo@example.com" });
    await grantCredits(t, learner.user.id, 1);

    await admin.agent.trpc.admin.users.setRole.mutate({ userId: bystander.user.id, role: "teacher" });
    const session = await admin.agent.trpc.admin.sessions.create.mutate({
      learnerId: learner.user.id,
      teacherId: teacher.user.id,
      startsAt: slotIn(30),
      durationMinutes: 60,
    });
    const pack = await admin.agent.trpc.admin.packs.create.mutate({
      name: "Audit pack",
      sessions: 4,
      sessionMinutes: 60,
      validityDays: 90,
      prices: { USD: 9900 },
    });

    const roleChange = (await list({ personId: bystander.user.id })).items;
    expect(roleChange.map((r) => r.action)).toEqual(["user.role.change"]);
    expect(roleChange[0]?.actor).toEqual({ id: admin.user.id, name: "Audra Admin", email: "audra@example.com" });
    expect(roleChange[0]?.target.people).toEqual([
      { id: bystander.user.id, name: "Bo Bystander", email: "bo@example.com" },
    ]);

    // A session row is about both its learner and its teacher, and names them.
    for (const someone of [learner, teacher]) {
      const rows = (await list({ personId: someone.user.id })).items;
      expect(rows.map((r) => [r.action, r.targetId])).toEqual([["tutoring.session.create", session.id]]);
    }
    const [created] = (await list({ personId: teacher.user.id })).items;
    expect(created?.target.people).toEqual([
      { id: learner.user.id, name: "Lina Learner", email: "lina@example.com" },
      { id: teacher.user.id, name: "Tariq Teacher", email: "tariq@example.com" },
    ]);

    // A thing that is not a person goes by its name.
    const packRows = (await list({ targetId: pack.id })).items;
    expect(packRows[0]?.target).toEqual({ people: [], name: "Audit pack" });

    // By the person who did it, and both filters together.
    const byAdmin = await list({ actorId: admin.user.id, pageSize: 100 });
    expect(byAdmin.total).toBe(3);
    expect((await list({ actorId: admin.user.id, personId: learner.user.id })).total).toBe(1);
    expect((await list({ actorId: learner.user.id, personId: learner.user.id })).total).toBe(0);
  });
});
