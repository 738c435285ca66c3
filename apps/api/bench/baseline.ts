// The bench's baseline: a bare Hono + pg server (no tRPC, better-auth or Drizzle) that runs the same
// SQL as the measured procedures, on the same database, so each Lectern figure has a ceiling to be
// compared with in the same run. Started by bench/http.ts with DATABASE_URL and BETTER_AUTH_SECRET;
// prints its URL as one JSON line, then serves until SIGTERM.
import { createHmac, timingSafeEqual } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";

const { DATABASE_URL, BETTER_AUTH_SECRET } = process.env;
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

const SESSION_SQL = `select s.id as session_id, s.impersonated_by, u.id, u.name, u.email, u.email_verified, u.image,
  u.role, u.banned, u.timezone, u.locale, u.created_at
  from auth_sessions s join users u on u.id = s.user_id
  where s.token = $1 and s.expires_at > now()`;

async function sessionUser(cookieHeader: string | undefined) {
  const token = verifiedToken(cookieHeader);
  if (!token) return null;
  const { rows } = await pool.query({ name: "session_user", text: SESSION_SQL, values: [token] });
  const user = rows[0];
  return user && !user.banned ? user : null;
}

const UPCOMING_WHERE = `(s.learner_id = $1 or s.teacher_id = $1) and s.status = 'booked' and s.ends_at > now()`;
const UPCOMING_SQL = `select s.*, t.id as t_id, t.name as t_name, t.image as t_image,
  l.id as l_id, l.name as l_name, l.image as l_image, l.timezone as l_timezone,
  o.goals, o.level, o.preferred_format
  from tutoring_sessions s
  join users t on t.id = s.teacher_id
  join users l on l.id = s.learner_id
  left join onboarding_answers o on o.learner_id = s.learner_id
  where ${UPCOMING_WHERE}
  order by s.starts_at, s.id limit $2 offset $3`;
const UPCOMING_COUNT_SQL = `select count(*)::int as total from tutoring_sessions s where ${UPCOMING_WHERE}`;

const app = new Hono();
app.get("/me", async (c) => {
  const user = await sessionUser(c.req.header("cookie"));
  return c.json(user);
});
app.get("/upcoming", async (c) => {
  const user = await sessionUser(c.req.header("cookie"));
  if (!user) return c.json({ error: "UNAUTHENTICATED" }, 401);
  const [page, count] = await Promise.all([
    pool.query({ name: "upcoming_page", text: UPCOMING_SQL, values: [user.id, 20, 0] }),
    pool.query({ name: "upcoming_count", text: UPCOMING_COUNT_SQL, values: [user.id] }),
  ]);
  return c.json({ items: page.rows, total: count.rows[0]?.total ?? 0 });
});

// Booking: the statements tutoring.sessions.book runs, in its order, as plain parameterised SQL
// (availability is fetched, not evaluated; emails are short). One transaction, the posting last
// but for the audit row, as the procedure does.
const RATE_LIMIT_SQL = `insert into request_rate_limits as r (key, window_started_at, count) values ($1, now(), 1)
  on conflict (key) do update set
    window_started_at = case when r.window_started_at <= now() - make_interval(secs => 60) then now() else r.window_started_at end,
    count = case when r.window_started_at <= now() - make_interval(secs => 60) then 1 else r.count + 1 end
  returning r.count`;
const TEACHER_SQL = `select u.id, u.role, u.banned, p.hourly_rate_minor, p.rate_currency, p.default_meeting_url
  from users u left join teacher_profiles p on p.user_id = u.id where u.id = $1`;
const LOT_SQL = `select cl.id as lot_id, a.id as account_id, cl.session_minutes
  from ledger_accounts a join credit_lots cl on cl.account_id = a.id
  where cl.learner_id = $1 and cl.expired_at is null and cl.expires_at > now()
    and a.balance >= ceil($2::numeric / cl.session_minutes)
  order by cl.expires_at, cl.created_at, cl.id limit 1 for update of a`;
const INSERT_SESSION_SQL = `insert into tutoring_sessions (teacher_id, learner_id, starts_at, ends_at, duration_minutes,
  meeting_url, hourly_rate_minor, rate_currency, credit_lot_id, credit_outcome, credits, paid_minutes, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'reserved', 1, $5, $2) returning *`;
const ADD_JOB_SQL = `select graphile_worker.add_job(identifier => $1, payload => $2::json, run_at => $3::timestamptz,
  job_key => $4, max_attempts => 3)`;
const SESSION_VIEW_SQL = `select s.*, t.id as t_id, t.name as t_name, t.email as t_email, t.locale as t_locale,
  t.timezone as t_timezone, l.id as l_id, l.name as l_name, l.email as l_email, l.locale as l_locale, l.timezone as l_timezone
  from tutoring_sessions s join users t on t.id = s.teacher_id join users l on l.id = s.learner_id where s.id = $1`;
const OUTBOX_SQL = `insert into email_outbox (user_id, to_address, template, subject, text_body, html_body, redacted)
  values ($1, $2, 'session.booked', 'Session booked', 'A session was booked.', '<p>A session was booked.</p>', false)
  returning id`;
const HELD_SQL = `select id from ledger_accounts where owner_id = $1 and kind = 'credit_held' and currency = 'CREDIT'`;
const LEDGER_TX_SQL = `insert into ledger_transactions (kind, description, actor_id, reference_type, reference_id)
  values ('credit.reserve', 'Credit reserved for a session', $1, 'tutoring_session', $2) returning id`;
const ENTRIES_SQL = `insert into ledger_entries (transaction_id, account_id, amount, currency)
  values ($1, $2, -1, 'CREDIT'), ($1, $3, 1, 'CREDIT')`;
const AUDIT_SQL = `insert into audit_log (actor_id, action, target_type, target_id, after)
  values ($1, 'tutoring.session.book', 'tutoring_session', $2, $3)`;

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
  const teacher = (await pool.query({ name: "b_teacher", text: TEACHER_SQL, values: [teacherId] })).rows[0];
  if (!teacher) return c.json({ error: "TEACHER_NOT_FOUND" }, 404);
  await pool.query({ name: "b_tz", text: "select id, timezone from users where id = $1", values: [teacherId] });
  await pool.query({
    name: "b_rules",
    text: "select teacher_id, weekday, start_minute, end_minute from availability_rules where teacher_id = $1",
    values: [teacherId],
  });
  await pool.query({
    name: "b_overrides",
    text: `select teacher_id, date, kind, start_minute, end_minute from availability_overrides
      where teacher_id = $1 and date >= $2 and date <= $3`,
    values: [teacherId, startsAt.slice(0, 10), startsAt.slice(0, 10)],
  });
  const client = await pool.connect();
  let sessionId: string;
  try {
    await client.query("begin");
    await client.query({
      name: "b_lock_teacher",
      text: "select banned from users where id = $1 for share",
      values: [teacherId],
    });
    const lot = (await client.query({ name: "b_lot", text: LOT_SQL, values: [user.id, durationMinutes] })).rows[0];
    if (!lot) {
      await client.query("rollback");
      return c.json({ error: "NO_CREDITS" }, 409);
    }
    const session = (
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
          teacher.hourly_rate_minor ?? 0,
          teacher.rate_currency ?? "USD",
          lot.lot_id,
        ],
      })
    ).rows[0];
    for (const [offset, key] of [
      [24 * 60, "24h"],
      [60, "1h"],
    ] as const)
      await client.query({
        name: "b_job",
        text: ADD_JOB_SQL,
        values: [
          "tutoring.reminder",
          JSON.stringify({ sessionId: session.id }),
          new Date(start.getTime() - offset * 60_000),
          `reminder:${session.id}:${key}`,
        ],
      });
    const view = (await client.query({ name: "b_view", text: SESSION_VIEW_SQL, values: [session.id] })).rows[0];
    for (const [id, email] of [
      [view.t_id, view.t_email],
      [view.l_id, view.l_email],
    ]) {
      const outbox = (await client.query({ name: "b_outbox", text: OUTBOX_SQL, values: [id, email] })).rows[0];
      await client.query({
        name: "b_job",
        text: ADD_JOB_SQL,
        values: ["email.deliver", JSON.stringify({ outboxId: outbox.id }), new Date(), `email:${outbox.id}`],
      });
    }
    sessionId = session.id;
    // The learner's held-credit account, opened by their first booking (as the ledger does).
    let held = (await client.query({ name: "b_held", text: HELD_SQL, values: [user.id] })).rows[0];
    if (!held) {
      await client.query({
        name: "b_held_open",
        text: `insert into ledger_accounts (owner_id, kind, currency) values ($1, 'credit_held', 'CREDIT')
          on conflict (owner_id, kind, currency) where owner_id is not null and kind <> 'credit_lot' do nothing`,
        values: [user.id],
      });
      held = (await client.query({ name: "b_held", text: HELD_SQL, values: [user.id] })).rows[0];
    }
    const entry = (await client.query({ name: "b_ledger_tx", text: LEDGER_TX_SQL, values: [user.id, session.id] }))
      .rows[0];
    await client.query({ name: "b_entries", text: ENTRIES_SQL, values: [entry.id, lot.account_id, held.id] });
    await client.query({
      name: "b_audit",
      text: AUDIT_SQL,
      values: [user.id, session.id, JSON.stringify({ startsAt })],
    });
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  } finally {
    client.release();
  }
  const { rows } = await pool.query({ name: "b_view", text: SESSION_VIEW_SQL, values: [sessionId] });
  return c.json(rows[0]);
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
