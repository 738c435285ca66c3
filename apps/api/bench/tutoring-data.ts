// The bench's tutoring world, written in bulk with SQL: 1,000 teachers (UTC, 06:00–22:00 every
// day), 1,000 learners and 100,000 sessions (100 per teacher, every 3 hours from ~6 days ago to
// ~6 days ahead, no overlaps) with the teacher pay of the completed ones in the ledger, plus bench
// learners with credits who book far-off free slots.
import { schema } from "@lectern/db";
import { makeSignature } from "better-auth/crypto";
import { sql } from "drizzle-orm";
import { openCreditLot } from "../src/modules/tutoring/credits.ts";
import type { startTestServer } from "../src/testing/index.ts";

type Server = Awaited<ReturnType<typeof startTestServer>>;

export const TEACHERS = 1_000;
export const SESSIONS_PER_TEACHER = 100;
export const BOOKERS = 500;
const HOUR = 60 * 60 * 1000;

export async function buildTutoringWorld(server: Server) {
  const { db } = server;
  await db.execute(sql`
    insert into users (id, name, email, email_verified, role, timezone)
    select 'bench-t-' || g, 'Bench Teacher ' || g, 'bench-teacher-' || g || '@bench.local', true, 'teacher', 'UTC'
    from generate_series(1, ${TEACHERS}) g
    union all
    select 'bench-l-' || g, 'Bench Learner ' || g, 'bench-learner-' || g || '@bench.local', true, 'learner', 'UTC'
    from generate_series(1, ${TEACHERS}) g
    union all
    select 'bench-b-' || g, 'Bench Booker ' || g, 'bench-booker-' || g || '@bench.local', true, 'learner', 'UTC'
    from generate_series(1, ${BOOKERS}) g`);
  await db.execute(sql`
    insert into teacher_profiles (user_id, bio, subjects, languages, hourly_rate_minor, rate_currency)
    select 'bench-t-' || g, 'Bench teacher', '{English}', '{English}', 2000, 'USD' from generate_series(1, ${TEACHERS}) g`);
  await db.execute(sql`
    insert into availability_rules (teacher_id, weekday, start_minute, end_minute)
    select 'bench-t-' || g, w, 360, 1320 from generate_series(1, ${TEACHERS}) g, generate_series(0, 6) w`);
  // The bulk insert runs longer than a request may (DATABASE_STATEMENT_TIMEOUT_MS): no limit for it.
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    // For a fixed k, t -> (t + k) mod 1000 is one-to-one: no learner has two sessions at once.
    await tx.execute(sql`
    insert into tutoring_sessions
      (teacher_id, learner_id, starts_at, ends_at, duration_minutes, status, hourly_rate_minor, rate_currency, credit_outcome)
    select 'bench-t-' || t, 'bench-l-' || (((t + k) % ${TEACHERS}) + 1), s, s + interval '1 hour', 60,
      (case when s < now() then 'completed' else 'booked' end)::tutoring_session_status, 2000, 'USD', 'none'
    from generate_series(1, ${TEACHERS}) t, generate_series(0, ${SESSIONS_PER_TEACHER - 1}) k,
      lateral (select date_trunc('hour', now()) - interval '150 hours' + k * interval '3 hours' as s) at`);
    // Teacher pay for every completed session, as completion posts it, so the earnings, payroll and
    // credit history queries meet a ledger of realistic size.
    await tx.execute(sql`
    insert into ledger_accounts (owner_id, kind, currency)
    select 'bench-t-' || g, 'wallet', 'USD' from generate_series(1, ${TEACHERS}) g`);
    await tx.execute(sql`
    insert into ledger_accounts (kind, currency, allow_negative)
    select 'payroll_expense', 'USD', true where not exists
      (select 1 from ledger_accounts where owner_id is null and kind = 'payroll_expense' and currency = 'USD')`);
    await tx.execute(sql`
    with paid as (
      insert into ledger_transactions (kind, description, reference_type, reference_id, created_at)
      select 'earnings.post', 'Teacher pay for a 60-minute session', 'tutoring_session', s.id::text, s.ends_at
      from tutoring_sessions s where s.status = 'completed'
      returning id, reference_id
    )
    insert into ledger_entries (transaction_id, account_id, amount, currency)
    select paid.id, a.id, 2000, 'USD' from paid
      join tutoring_sessions s on s.id = paid.reference_id::uuid
      join ledger_accounts a on a.owner_id = s.teacher_id and a.kind = 'wallet'
    union all
    select paid.id, p.id, -2000, 'USD' from paid
      join ledger_accounts p on p.owner_id is null and p.kind = 'payroll_expense' and p.currency = 'USD'`);
    await tx.execute(sql`analyze`);
  });

  for (let b = 1; b <= BOOKERS; b++) {
    await db.transaction((tx) => openCreditLot(tx, { learnerId: `bench-b-${b}`, sessions: 10_000, validityDays: 90 }));
  }
  const [sessions] = await db.select({ n: sql<number>`count(*)::int` }).from(schema.tutoringSessions);
  return { sessions: sessions?.n ?? 0 };
}

/** A signed session cookie for a user, as the browser would hold it after signing in. */
export async function cookieFor(server: Server, userId: string) {
  const ctx = await server.auth.$context;
  const session = await ctx.internalAdapter.createSession(userId);
  const signature = await makeSignature(session.token, server.env.BETTER_AUTH_SECRET);
  return `${ctx.authCookies.sessionToken.name}=${encodeURIComponent(`${session.token}.${signature}`)}`;
}

/**
 * The i-th booking of the bench: round r = i / BOOKERS books, for each booker, a distinct teacher
 * at the r-th free hour from 8 days ahead (06:00–21:00 UTC), so no two bookings collide.
 */
export function bookingFor(i: number, firstDay: number) {
  const round = Math.floor(i / BOOKERS);
  const booker = (i % BOOKERS) + 1;
  const teacher = ((booker + round * BOOKERS) % TEACHERS) + 1;
  const day = Math.floor(round / 16);
  const startsAt = new Date(firstDay + day * 24 * HOUR + (6 + (round % 16)) * HOUR);
  return { booker: `bench-b-${booker}`, teacherId: `bench-t-${teacher}`, startsAt };
}
