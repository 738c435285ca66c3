import { type Role, TUTORING_POLICY } from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { makeSignature } from "better-auth/crypto";
import { sql } from "drizzle-orm";
import type { TestApp } from "../../testing/index.ts";
import { balanceDrift, CREDIT, unbalancedTransactions } from "../ledger/service.ts";
import { openCreditLot } from "./credits.ts";

/**
 * Test helpers for tutoring. Users are created directly with a real better-auth session (signed
 * cookie), skipping sign-up's password hashing and email round trip, which other tests already
 * cover; calls still go through HTTP with that cookie.
 */

let counter = 0;

export async function person(
  t: TestApp,
  role: Role,
  options: { name?: string; timezone?: string; locale?: "en" | "ar"; email?: string } = {},
) {
  counter += 1;
  const id = crypto.randomUUID();
  const name = options.name ?? `${role[0]?.toUpperCase()}${role.slice(1)} ${counter}`;
  const email = options.email ?? `${role}-${counter}-${id.slice(0, 6)}@example.com`;
  const timezone = options.timezone ?? "UTC";
  await t.db.insert(schema.users).values({
    id,
    name,
    email,
    emailVerified: true,
    role,
    timezone,
    locale: options.locale ?? "en",
  });
  const ctx = await t.auth.$context;
  const session = await ctx.internalAdapter.createSession(id);
  const signature = await makeSignature(session.token, t.env.BETTER_AUTH_SECRET);
  const agent = t.agent();
  agent.cookies.set(ctx.authCookies.sessionToken.name, encodeURIComponent(`${session.token}.${signature}`));
  return { agent, user: { id, name, email, role, timezone }, email };
}

export type Person = Awaited<ReturnType<typeof person>>;

/** Grants credits the way the platform does: a credit lot issued through the ledger. */
export async function grantCredits(
  t: TestApp,
  learnerId: string,
  sessions: number,
  now = new Date(),
  validityDays = 90,
) {
  return t.db.transaction((tx) => openCreditLot(tx, { learnerId, sessions, validityDays, now }));
}

/** Monday to Sunday, 00:00–24:00 in the teacher's zone: every slot is inside availability. */
export const ALWAYS = Array.from({ length: 7 }, (_, weekday) => ({ weekday, startMinute: 0, endMinute: 1440 }));

export async function setTeacherRate(t: TestApp, teacherId: string, hourlyRateMinor: number, rateCurrency = "USD") {
  await t.db
    .insert(schema.teacherProfiles)
    .values({ userId: teacherId, hourlyRateMinor, rateCurrency })
    .onConflictDoUpdate({ target: schema.teacherProfiles.userId, set: { hourlyRateMinor, rateCurrency } });
}

/** A learner's spendable credits: the balances of their lots. */
export async function creditBalance(t: TestApp, learnerId: string) {
  const { rows } = await t.db.execute<{ n: string }>(sql`
    select coalesce(sum(a.balance), 0)::text as n from ledger_accounts a
    join credit_lots cl on cl.account_id = a.id where cl.learner_id = ${learnerId}`);
  return Number(rows[0]?.n ?? 0);
}

/** A system account's net: the sum of its entries (system balances are not cached). */
export async function platformBalance(t: TestApp, kind: string, currency = CREDIT) {
  const { rows } = await t.db.execute<{ n: string }>(sql`
    select coalesce(sum(e.amount), 0)::text as n from ledger_entries e join ledger_accounts a on a.id = e.account_id
    where a.owner_id is null and a.kind = ${kind} and a.currency = ${currency}`);
  return Number(rows[0]?.n ?? 0);
}

/** Credits held by booked sessions, over all learners (each learner's credit_held account). */
export async function heldCredits(t: TestApp) {
  const { rows } = await t.db.execute<{ n: string }>(
    sql`select coalesce(sum(balance), 0)::text as n from ledger_accounts where kind = 'credit_held'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The ledger's invariants: every transaction balances, cached balances equal their entries, no
 * user balance is negative, and every credit ever issued is in exactly one place.
 */
export async function ledgerInvariants(t: TestApp) {
  const { rows: negative } = await t.db.execute(
    sql`select id from ledger_accounts where owner_id is not null and balance < 0`,
  );
  // Users' accounts by their cached balance, system accounts by their entries (not cached).
  const { rows } = await t.db.execute<{ kind: string; total: string }>(sql`
    select case when kind = 'credit_lot' then 'lots' else kind end as kind, sum(balance)::text as total
    from ledger_accounts where currency = ${CREDIT} and owner_id is not null group by 1
    union all
    select a.kind, sum(e.amount)::text from ledger_accounts a join ledger_entries e on e.account_id = a.id
    where a.currency = ${CREDIT} and a.owner_id is null group by 1`);
  const credits = Object.fromEntries(rows.map((r) => [r.kind, Number(r.total)]));
  const issued = -(credits.credit_issuance ?? 0);
  const held =
    (credits.lots ?? 0) +
    (credits.credit_held ?? 0) +
    (credits.credit_consumed ?? 0) +
    (credits.credit_forfeited ?? 0) +
    (credits.credit_expired ?? 0);
  return {
    unbalanced: await unbalancedTransactions(t.db),
    drift: await balanceDrift(t.db),
    negative,
    issued,
    held,
    credits,
  };
}

/** Pending jobs with a key prefix (graphile_worker.jobs view). */
export async function jobsWithKeyPrefix(t: TestApp, prefix: string) {
  const { rows } = await t.db.execute<{ key: string; run_at: Date; task_identifier: string; payload: unknown }>(sql`
    select j.key, j.run_at, j.task_identifier, p.payload from graphile_worker.jobs j
    join graphile_worker._private_jobs p on p.id = j.id
    where j.key like ${`${prefix}%`} order by j.key`);
  return rows.map((r) => ({ ...r, run_at: new Date(r.run_at) }));
}

const SLOT_MS = TUTORING_POLICY.slotStepMinutes * 60_000;
/** The first bookable grid slot at least `hours` from now. */
export const slotIn = (hours: number) => new Date(Math.ceil((Date.now() + hours * 60 * 60_000) / SLOT_MS) * SLOT_MS);
