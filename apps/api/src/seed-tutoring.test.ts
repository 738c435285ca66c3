import { schema } from "@lectern/db";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { balanceDrift, unbalancedTransactions } from "./modules/ledger/service.ts";
import { seedDemoData } from "./seed.ts";
import { seedDemoTutoring } from "./seed-tutoring.ts";
import { useTestApp } from "./testing/vitest.ts";

const t = await useTestApp();

describe("the demo seed", () => {
  it("builds a lived-in tutoring world through the services, once", async () => {
    await seedDemoData(t.db, t.auth);
    expect(await seedDemoTutoring(t.db)).toEqual({ seeded: true });

    const sessions = await t.db
      .select({ status: schema.tutoringSessions.status, n: count() })
      .from(schema.tutoringSessions)
      .groupBy(schema.tutoringSessions.status);
    const byStatus = Object.fromEntries(sessions.map((s) => [s.status, s.n]));
    expect(byStatus.completed).toBe(10); // two per learner
    expect(byStatus.booked).toBe(5); // one upcoming per learner
    expect(await t.db.$count(schema.availabilityRules)).toBe(18);
    expect(await t.db.$count(schema.creditLots)).toBe(5);
    const [earnings] = await t.db
      .select({ n: count() })
      .from(schema.ledgerTransactions)
      .where(eq(schema.ledgerTransactions.kind, "earnings.post"));
    expect(earnings?.n).toBe(10);
    expect(await balanceDrift(t.db)).toEqual([]);
    expect(await unbalancedTransactions(t.db)).toEqual([]);

    // Seeding again adds nothing.
    expect(await seedDemoTutoring(t.db)).toEqual({ seeded: false });
    expect(await t.db.$count(schema.tutoringSessions)).toBe(15);
  });
});
