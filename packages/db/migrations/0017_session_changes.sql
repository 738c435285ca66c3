-- API processes keep the sessions they have read for a few seconds (apps/api/src/auth/session-cache.ts).
-- Every change that could make such a copy wrong is announced, with the user it concerns: a session
-- extended, revoked or signed out, and a user renamed, disabled, given another role or deleted.
-- - NOTIFY on `lectern_session_changes` when it commits, for every process;
-- - a NOTICE at once to the connection making it, so its own process stops trusting its copy before
--   the change commits (its request may answer, and the next one arrive, before the NOTIFY does).
-- Triggers, so no code path (better-auth's own included) can change a session or its user unheard.
-- The trigger's argument names the column holding the user id.
CREATE FUNCTION "announce_session_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  user_id text := to_jsonb(OLD) ->> TG_ARGV[0];
BEGIN
  RAISE NOTICE 'lectern_session_change:%', user_id;
  PERFORM pg_notify('lectern_session_changes', user_id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "auth_sessions_announce_change" AFTER UPDATE OR DELETE ON "auth_sessions"
  FOR EACH ROW EXECUTE FUNCTION "announce_session_change"('user_id');--> statement-breakpoint
-- The user columns a request's session carries (auth/session-sql.ts), and deletion.
CREATE TRIGGER "users_announce_change"
  AFTER UPDATE OF "name", "email", "email_verified", "image", "role", "banned", "ban_expires", "timezone", "locale"
    OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION "announce_session_change"('id');
