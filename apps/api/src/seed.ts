import type { Role } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import type { Auth } from "./auth/index.ts";
import { seedDemoTutoring } from "./seed-tutoring.ts";

export const DEMO_PASSWORD = "lectern-demo";

export interface DemoUser {
  name: string;
  email: string;
  role: Role;
  timezone: string;
  locale: "en" | "ar";
}

export const DEMO_USERS: DemoUser[] = [
  { name: "Amina Admin", email: "admin@lectern.local", role: "admin", timezone: "Europe/London", locale: "en" },
  { name: "Tom Teacher", email: "teacher1@lectern.local", role: "teacher", timezone: "Europe/London", locale: "en" },
  { name: "Layla Haddad", email: "teacher2@lectern.local", role: "teacher", timezone: "Asia/Dubai", locale: "ar" },
  { name: "Chidi Okafor", email: "teacher3@lectern.local", role: "teacher", timezone: "Africa/Lagos", locale: "en" },
  { name: "Lena Learner", email: "learner1@lectern.local", role: "learner", timezone: "Europe/Berlin", locale: "en" },
  { name: "Omar Farouk", email: "learner2@lectern.local", role: "learner", timezone: "Africa/Cairo", locale: "ar" },
  { name: "Grace Mensah", email: "learner3@lectern.local", role: "learner", timezone: "Africa/Accra", locale: "en" },
  { name: "Yuki Tanaka", email: "learner4@lectern.local", role: "learner", timezone: "Asia/Tokyo", locale: "en" },
  { name: "Sofia Rossi", email: "learner5@lectern.local", role: "learner", timezone: "America/New_York", locale: "en" },
];

/** Loads the demo accounts (verified, password DEMO_PASSWORD). Running it again changes nothing. */
export async function seedDemoData(db: Db, auth: Auth): Promise<{ created: number }> {
  const { password } = await auth.$context;
  const hash = await password.hash(DEMO_PASSWORD);
  let created = 0;
  await db.transaction(async (tx) => {
    for (const demo of DEMO_USERS) {
      const id = crypto.randomUUID();
      const [user] = await tx
        .insert(schema.users)
        .values({ id, ...demo, emailVerified: true })
        .onConflictDoNothing({ target: schema.users.email })
        .returning({ id: schema.users.id });
      if (!user) continue;
      created++;
      await tx.insert(schema.authAccounts).values({
        id: crypto.randomUUID(),
        userId: user.id,
        accountId: user.id,
        providerId: "credential",
        password: hash,
      });
    }
  });
  return { created };
}

export function formatDemoLogins(): string {
  const width = Math.max(...DEMO_USERS.map((u) => u.email.length));
  return DEMO_USERS.map((u) => `  ${u.role.padEnd(8)} ${u.email.padEnd(width)}  ${DEMO_PASSWORD}`).join("\n");
}

/** The demo tutoring world (packs, rates, hours, credits, sessions), for the browser tests too. */
export { seedDemoTutoring } from "./seed-tutoring.ts";

/**
 * Demo accounts share one public password, so they go only where nobody else can reach them: the
 * embedded development database, or a database whose operator asked with SEED_DEMO=true. Never
 * with NODE_ENV=production. Returns why not, or undefined when seeding is allowed.
 */
export function demoSeedRefusal(env: Env, target: { embedded: boolean }): string | undefined {
  if (env.NODE_ENV === "production")
    return "NODE_ENV=production: the demo accounts (public password) are never loaded into a production database.";
  if (target.embedded || env.SEED_DEMO) return undefined;
  return "DATABASE_URL points at a database Lectern does not manage: the demo accounts (public password) are loaded there only with SEED_DEMO=true.";
}

export type DemoSeedResult = { seeded: false; reason: string } | { seeded: true; created: number; tutoring: boolean };

/** The demo world (accounts, then tutoring data on them) where demoSeedRefusal allows it. */
export async function seedDemo(db: Db, auth: Auth, env: Env, target: { embedded: boolean }): Promise<DemoSeedResult> {
  const reason = demoSeedRefusal(env, target);
  if (reason) return { seeded: false, reason };
  const { created } = await seedDemoData(db, auth);
  const { seeded } = await seedDemoTutoring(db);
  return { seeded: true, created, tutoring: seeded };
}
