// The bench's baseline: a bare Hono + pg server (no tRPC, better-auth or Drizzle) that runs the same
// SQL as the measured procedures, on the same database, so each Lectern figure has a ceiling to be
// compared with in the same run. Started by bench/http.ts with the database URL and auth secret as
// one JSON argument; prints its URL as one JSON line, then serves until SIGTERM.
import { createHmac, timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";
import { SESSION_USER_SQL, SESSION_USER_STATEMENT, type SessionUserRow } from "../src/auth/session-sql.ts";
import {
  BOOKING_CONTEXT,
  insertSessionText,
  LOCK_BOOKABLE_TEACHER,
  PAYING_LOT_LOCKED,
} from "../src/modules/tutoring/booking-sql.ts";
import { LIST_STATEMENTS } from "../src/modules/tutoring/lists-sql.ts";

const { DATABASE_URL, BETTER_AUTH_SECRET } = JSON.parse(process.argv[2] ?? "{}") as Record<string, string | undefined>;
if (!DATABASE_URL || !BETTER_AUTH_SECRET) throw new Error("baseline needs DATABASE_URL and BETTER_AUTH_SECRET");

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
pool.on("error", () => {});

const COOKIE = "better-auth.session_token";

/** better-auth's signed cookie: encodeURIComponent(`${token}.${base64(HMAC-SHA256(secret, token))}`). */
function verifiedToken(cookieHeader: string | undefined): string | null {
  const raw = cookieHeader
    ?.split(/;\s*/)
    .find((c) => c.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  if (!raw) return null;
  const value = decodeURIComponent(raw);
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64");
  const expected = createHmac("sha256", BETTER_AUTH_SECRET as string)
    .update(token)
    .digest();
  return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
}

async function sessionUser(cookieHeader: string | undefined) {
  const token = verifiedToken(cookieHeader);
  if (!token) return null;
  // The procedure's own statement (auth/session-sql.ts imports nothing), expiry and ban checked as it does.
  const { rows } = await pool.query<SessionUserRow>({
    name: SESSION_USER_STATEMENT,
    text: SESSION_USER_SQL,
    values: [token],
  });
  const row = rows[0];
  if (!row || row.expires_at.getTime() <= Date.now()) return null;
  if (row.u_banned && (!row.u_ban_expires || row.u_ban_expires.getTime() > Date.now())) return null;
  return { ...row, id: row.user_id };
}

// The upcoming page's text is the procedure's own (lists-sql.ts imports nothing): the same SQL.
const UPCOMING = LIST_STATEMENTS.upcoming;

const app = new Hono();
app.get("/me", async (c) => {
  const user = await sessionUser(c.req.header("cookie"));
  return c.json(user);
});
app.get("/upcoming", async (c) => {
  const user = await sessionUser(c.req.header("cookie"));
  if (!user) return c.json({ error: "UNAUTHENTICATED" }, 401);
  // Each row carries the total (as the procedure's page does); the first page needs no count of its own.
  const page = await pool.query({ name: UPCOMING.name, text: UPCOMING.page, values: [user.id, new Date(), 20, 0] });
  return c.json({ items: page.rows, total: Number(page.rows[0]?.total ?? 0) });
});

// Booking: the statements tutoring.sessions.book runs, in its order, as plain parameterised SQL
// (availability is fetched, not evaluated). One transaction, the posting last but for the audit row,
// as the procedure does; the emails are written later by the job it adds.
const RATE_LIMIT_SQL = `insert into request_rate_limits as r (key, window_started_at, count) values ($1, now(), 1)
  on conflict (key) do update set
    window_started_at = case when r.window_started_at <= now() - make_interval(secs => 60) then now() else r.window_started_at end,
    count = case when r.window_started_at <= now() - make_interval(secs => 60) then 1 else r.count + 1 end
  returning r.count`;
// The procedure returns its columns under their TypeScript names; the baseline takes them as they are.
const INSERT_SESSION_SQL = insertSessionText("*");
// Both reminders (keyed) and the booking-emails job, in one statement.
const ADD_JOBS_SQL = `select
  graphile_worker.add_job(identifier => 'tutoring.reminder', payload => $1::json, run_at => $2::timestamptz,
    job_key => $3, max_attempts => 5),
  graphile_worker.add_job(identifier => 'tutoring.reminder', payload => $4::json, run_at => $5::timestamptz,
    job_key => $6, max_attempts => 5),
  graphile_worker.add_job(identifier => 'tutoring.notifySessionChange', payload => $7::json, run_at => null,
    job_key => null, max_attempts => 10)`;
// The posting in one statement, the learner's held-credit account looked up inside it (the ledger's
// common path; a learner's first booking opens the account and posts again, as the ledger does).
const POSTING_SQL = `with legs (account_id, amount, currency, ord) as (values
    ($2::uuid, -1::bigint, 'CREDIT'::text, 0),
    ((select id from ledger_accounts where owner_id = $1 and kind = 'credit_held' and currency = 'CREDIT'),
      1::bigint, 'CREDIT'::text, 1)),
  t as (
    insert into ledger_transactions (kind, description, actor_id, reference_type, reference_id, metadata)
    select 'credit.reserve', 'Credit reserved for a session', $1, 'tutoring_session', $3, null::jsonb
    where not exists (select 1 from legs where account_id is null)
    returning id),
  e as (
    insert into ledger_entries (transaction_id, account_id, amount, currency)
    select t.id, legs.account_id, legs.amount, legs.currency from t, legs order by legs.ord)
  select id from t`;
const AUDIT_SQL = `insert into audit_log (actor_id, impersonator_id, action, target_type, target_id, before, after, ip_address)
    values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)`;

app.post("/book", async (c) => {
  const user = await sessionUser(c.req.header("cookie"));
  if (!user) return c.json({ error: "UNAUTHENTICATED" }, 401);
  const { teacherId, startsAt, durationMinutes } = (await c.req.json()) as {
    teacherId: string;
    startsAt: string;
    durationMinutes: number;
  };
  const start = new Date(startsAt);
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  await pool.query({ name: "b_rate", text: RATE_LIMIT_SQL, values: [`mutation:${user.id}`] });
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const teacher = (
    await pool.query({
      name: BOOKING_CONTEXT.name,
      text: BOOKING_CONTEXT.text,
      values: [teacherId, day(start.getTime() - 3 * 86_400_000), day(end.getTime() + 3 * 86_400_000), user.id],
    })
  ).rows[0];
  if (!teacher) return c.json({ error: "TEACHER_NOT_FOUND" }, 404);
  const client = await pool.connect();
  let session: Record<string, unknown>;
  try {
    await client.query("begin");
    // The teacher's row, then the learner's held credits: the lock order of every credit path.
    await client.query({ ...LOCK_BOOKABLE_TEACHER, values: [teacherId, user.id] });
    const lot = (await client.query({ ...PAYING_LOT_LOCKED, values: [user.id, new Date(), durationMinutes] })).rows[0];
    if (!lot) {
      await client.query("rollback");
      return c.json({ error: "NO_CREDITS" }, 409);
    }
    session = (
      await client.query({
        name: "b_session",
        text: INSERT_SESSION_SQL,
        values: [
          teacherId,
          user.id,
          start,
          end,
          durationMinutes,
          teacher.default_meeting_url,
          null,
          teacher.hourly_rate_minor ?? 0,
          teacher.rate_currency ?? "USD",
          lot.lot_id,
          "reserved",
          1,
          durationMinutes,
          user.id,
        ],
      })
    ).rows[0];
    const reminder = (offsetMinutes: number) => [
      JSON.stringify({ sessionId: session.id, offsetMinutes, startsAt }),
      new Date(start.getTime() - offsetMinutes * 60_000),
      `tutoring.reminder:${session.id}:${offsetMinutes}`,
    ];
    await client.query({
      name: "b_jobs",
      text: ADD_JOBS_SQL,
      values: [
        ...reminder(24 * 60),
        ...reminder(60),
        JSON.stringify({ sessionId: session.id, change: { kind: "booked" }, at: new Date(), startsAt, endsAt: end }),
      ],
    });
    let posted = await client.query({
      name: "b_posting",
      text: POSTING_SQL,
      values: [user.id, lot.account_id, session.id],
    });
    if (posted.rowCount === 0) {
      // The learner's first booking: open their held-credit account, then post.
      await client.query({
        name: "b_held_open",
        text: `insert into ledger_accounts (owner_id, kind, currency) values ($1, 'credit_held', 'CREDIT')
          on conflict (owner_id, kind, currency) where owner_id is not null and kind <> 'credit_lot' do nothing`,
        values: [user.id],
      });
      posted = await client.query({
        name: "b_posting",
        text: POSTING_SQL,
        values: [user.id, lot.account_id, session.id],
      });
    }
    await client.query({
      name: "b_audit",
      text: AUDIT_SQL,
      values: [
        user.id,
        null,
        "tutoring.session.book",
        "tutoring_session",
        session.id,
        null,
        JSON.stringify({ startsAt }),
        null,
      ],
    });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
  // As the procedure: the response is built from what was read and written, not read back.
  const { id, name, email, image, learner } = teacher;
  return c.json({ ...session, teacher: { id, name, email, image }, learner });
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
// SIGUSR2 from bench/http.ts, around each load phase: the CPU time used so far, as one JSON line.
process.on("SIGUSR2", () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: user + system })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
