// The booking path's SQL as plain text, with no import: the API (sessions.ts, pricing.ts) runs it as
// named prepared statements, and the bench's bare baseline server (bench/baseline.ts) runs the very
// same text, so the two are compared on the same SQL.

/**
 * The teacher, their pay, their calendar around the slot (weekly hours, and the overrides of the
 * dates $2 to $3) and both people as the session's view shows them, in one round trip.
 * $1 the teacher, $2 and $3 the first and last date, $4 the learner.
 */
export const BOOKING_CONTEXT = {
  name: "tutoring_booking_context",
  text: `select u.id, u.role, u.banned, p.hourly_rate_minor, p.rate_currency, p.default_meeting_url,
  u.name, u.email, u.image,
  json_build_object('timezone', u.timezone,
    'rules', coalesce((select json_agg(json_build_object('weekday', r.weekday, 'startMinute', r.start_minute,
      'endMinute', r.end_minute)) from availability_rules r where r.teacher_id = u.id), '[]'::json),
    'overrides', coalesce((select json_agg(json_build_object('date', o.date, 'kind', o.kind,
      'startMinute', o.start_minute, 'endMinute', o.end_minute)) from availability_overrides o
      where o.teacher_id = u.id and o.date >= $2::date and o.date <= $3::date), '[]'::json)) as calendar,
  (select json_build_object('id', l.id, 'name', l.name, 'email', l.email, 'image', l.image, 'timezone', l.timezone)
    from users l where l.id = $4) as learner
  from users u left join teacher_profiles p on p.user_id = u.id where u.id = $1`,
};

/**
 * A share lock on the teacher's row and, in the same statement after it, a lock on the paying
 * learner's held-credit account: the lock order of every credit path (sessions.ts, lockBookableTeacher).
 * $1 the teacher, $2 the paying learner (null: booked without a credit).
 */
export const LOCK_BOOKABLE_TEACHER = {
  name: "tutoring_lock_bookable_teacher",
  text: `with teacher as (select banned from users where id = $1 for share)
  select teacher.banned, (select a.id from ledger_accounts a where a.owner_id = $2 and a.kind = 'credit_held'
    and a.currency = 'CREDIT' and exists (select from teacher) for no key update of a) as held
  from teacher`,
};

/**
 * The usable lot that pays for a session (pricing.ts): the soonest-expiring one whose balance covers
 * the session on its own. $1 the learner, $2 now, $3 the session's minutes. The locking one keeps
 * the lot's ledger account locked until the transaction ends.
 */
const payingLotText = (lock: boolean) => `select cl.id as lot_id, a.id as account_id, cl.session_minutes
  from ledger_accounts a join credit_lots cl on cl.account_id = a.id
  where cl.learner_id = $1 and cl.expired_at is null and cl.expires_at > $2
    and a.balance >= ceil($3::numeric / cl.session_minutes)
  order by cl.expires_at, cl.created_at, cl.id
  limit 1${lock ? " for update of a" : ""}`;
export const PAYING_LOT = { name: "tutoring_paying_lot", text: payingLotText(false) };
export const PAYING_LOT_LOCKED = { name: "tutoring_paying_lot_locked", text: payingLotText(true) };

/**
 * A new session, returned whole with `returning` and the row's columns (sessions.ts passes the
 * table's list, under their TypeScript names).
 * $1 teacher, $2 learner, $3 starts, $4 ends, $5 minutes, $6 meeting URL, $7 notes, $8 hourly rate,
 * $9 its currency, $10 the paying lot, $11 credit outcome, $12 credits, $13 paid minutes, $14 created by.
 */
export const insertSessionText = (returning: string) => `insert into tutoring_sessions (teacher_id, learner_id,
  starts_at, ends_at, duration_minutes, meeting_url, notes, hourly_rate_minor, rate_currency, credit_lot_id,
  credit_outcome, credits, paid_minutes, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning ${returning}`;
