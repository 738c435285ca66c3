// The statement every request's session resolution runs (auth/session.ts), as plain text with no
// import, so the bench's bare baseline server (bench/baseline.ts) runs the very same SQL.

/**
 * The session behind a token and its user, only the columns a request uses: each column costs the
 * driver a field description and a parse on every request. $1: the session token.
 */
export const SESSION_USER_SQL = `select s.id, s.user_id, s.expires_at, s.impersonated_by,
  u.name as u_name, u.email as u_email, u.email_verified as u_email_verified, u.image as u_image, u.role as u_role,
  u.banned as u_banned, u.ban_expires as u_ban_expires, u.timezone as u_timezone, u.locale as u_locale,
  u.created_at as u_created_at
  from auth_sessions s join users u on u.id = s.user_id
  where s.token = $1`;

export const SESSION_USER_STATEMENT = "lectern_session_user";

export interface SessionUserRow {
  id: string;
  user_id: string;
  expires_at: Date;
  impersonated_by: string | null;
  u_name: string;
  u_email: string;
  u_email_verified: boolean;
  u_image: string | null;
  u_role: string;
  u_banned: boolean | null;
  u_ban_expires: Date | null;
  u_timezone: string;
  u_locale: string;
  u_created_at: Date;
}
