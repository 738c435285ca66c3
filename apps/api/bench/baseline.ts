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

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
