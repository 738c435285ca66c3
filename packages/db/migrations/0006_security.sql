-- Audit rows name the admin behind an impersonated session as well as the user it acted as.
ALTER TABLE "audit_log" ADD COLUMN "impersonator_id" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_impersonator_id_users_id_fk" FOREIGN KEY ("impersonator_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_impersonator_idx" ON "audit_log" USING btree ("impersonator_id","created_at" DESC NULLS LAST) WHERE "impersonator_id" IS NOT NULL;--> statement-breakpoint
-- Calendar feed tokens are secrets: keep only their SHA-256 (hex), so a database read cannot replay a feed URL.
ALTER TABLE "calendar_feeds" ADD COLUMN "token_hash" text;--> statement-breakpoint
UPDATE "calendar_feeds" SET "token_hash" = encode(sha256(convert_to("token", 'UTF8')), 'hex');--> statement-breakpoint
ALTER TABLE "calendar_feeds" ALTER COLUMN "token_hash" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "calendar_feeds" DROP CONSTRAINT "calendar_feeds_token_unique";--> statement-breakpoint
ALTER TABLE "calendar_feeds" DROP COLUMN "token";--> statement-breakpoint
ALTER TABLE "calendar_feeds" ADD CONSTRAINT "calendar_feeds_token_hash_unique" UNIQUE("token_hash");--> statement-breakpoint
-- Disabled users keep no live feed.
DELETE FROM "calendar_feeds" f USING "users" u WHERE u."id" = f."user_id" AND u."banned";--> statement-breakpoint
-- Meeting links are https only from now on: an older plain-http link is dropped rather than mailed.
UPDATE "tutoring_sessions" SET "meeting_url" = NULL WHERE "meeting_url" IS NOT NULL AND "meeting_url" !~* '^https://';--> statement-breakpoint
UPDATE "teacher_profiles" SET "default_meeting_url" = NULL WHERE "default_meeting_url" IS NOT NULL AND "default_meeting_url" !~* '^https://';
