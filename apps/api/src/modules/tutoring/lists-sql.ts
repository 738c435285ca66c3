// The session lists' SQL as plain text, with no import: the API (sessions.ts) runs it as named
// prepared statements, and the bench's bare baseline server (bench/baseline.ts) runs the very same
// text, so the two are compared on the same SQL.

export type ListKind = "upcoming" | "past" | "cancelled";

/**
 * The page of sessions first, with the number of all matching ones (`count(*) over ()`: the pager's
 * total in the same round trip), then only those rows joined to their people (joined before the
 * limit, Postgres would join every matching session). Each person is a primary-key lookup per row
 * (`lateral … limit 1` is never turned into a hash join): as plain joins, the past list's generic
 * plan hashed the whole users table twice for a 20-row page (pgbench on the bench data: 2.1–2.5k
 * pages/s, 4.4k with the lookups; upcoming unchanged). Statuses are literals, not parameters, so the
 * generic plans of the prepared statements still use the partial indexes on booked sessions
 * (tutoring_sessions_*_booked_idx). Parameters: $1 the viewer, $2 now (not for cancelled), then
 * limit and offset. `count` takes the same parameters without limit and offset, for a page past the end.
 */
/**
 * The columns a list row is built from (sessions.ts, toSummary): what the row shows, and what its
 * join and report actions are decided on. A report's text stays out: only whether there is one.
 */
const SUMMARY_COLUMNS = `s.id, s.teacher_id, s.learner_id, s.starts_at, s.ends_at, s.duration_minutes, s.status,
    s.credit_outcome, s.meeting_url, s.cancelled_at, s.cancelled_by, s.teacher_absent_reported_at,
    s.dispute_resolved_at, s.reversed_at, s.report_message is not null as reported`;

export const LIST_STATEMENTS = (() => {
  const upcoming = "s.status = 'booked' and s.ends_at > $2";
  const kinds: Record<ListKind, { filter: string; order: string; limit: string }> = {
    upcoming: { filter: upcoming, order: "s.starts_at, s.id", limit: "limit $3 offset $4" },
    past: {
      filter: `not (${upcoming}) and s.status <> 'cancelled'`,
      order: "s.starts_at desc, s.id",
      limit: "limit $3 offset $4",
    },
    cancelled: { filter: "s.status = 'cancelled'", order: "s.starts_at desc, s.id", limit: "limit $2 offset $3" },
  };
  const statements = {} as Record<ListKind, { name: string; page: string; count: string }>;
  for (const [kind, k] of Object.entries(kinds) as [ListKind, (typeof kinds)[ListKind]][]) {
    const where = `(s.learner_id = $1 or s.teacher_id = $1) and ${k.filter}`;
    statements[kind] = {
      name: `tutoring_sessions_${kind}_list`,
      page: `select s.*, t.name as t_name, t.image as t_image, l.name as l_name, l.image as l_image,
  o.goals as o_goals, o.level as o_level, o.preferred_format as o_preferred_format
  from (select ${SUMMARY_COLUMNS}, count(*) over () as total from tutoring_sessions s where ${where}
    order by ${k.order} ${k.limit}) s
  cross join lateral (select name, image from users where id = s.teacher_id limit 1) t
  cross join lateral (select name, image from users where id = s.learner_id limit 1) l
  left join lateral (select goals, level, preferred_format from onboarding_answers
    where learner_id = s.learner_id limit 1) o on true
  order by ${k.order}`,
      count: `select count(*) as total from tutoring_sessions s where ${where}`,
    };
  }
  return statements;
})();
