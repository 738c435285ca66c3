-- API processes keep the sessions they have read for a few seconds (apps/api/src/auth/session-cache.ts).
-- Every change that could make such a copy wrong announces the user it concerns on the channel
-- `lectern_session_changes`, when it commits: a session extended, revoked or signed out, and a user
-- renamed, disabled, given another role or deleted. Triggers, so no code path (better-auth's own
-- included) can change a session or its user without every process hearing of it.
-- The trigger's argument names the column holding the user id.
CREATE FUNCTION "announce_session_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lectern_session_changes', to_jsonb(OLD) ->> TG_ARGV[0]);
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
