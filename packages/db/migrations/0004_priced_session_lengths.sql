-- A credit pays for a session up to its lot's length, snapshotted from the pack at grant time.
ALTER TABLE "credit_lots" ADD COLUMN "session_minutes" integer DEFAULT 60 NOT NULL;
--> statement-breakpoint
UPDATE "credit_lots" l SET "session_minutes" = p."session_minutes" FROM "credit_packs" p WHERE p."id" = l."pack_id";
--> statement-breakpoint
ALTER TABLE "credit_lots" ADD CONSTRAINT "credit_lots_session_minutes_positive" CHECK ("credit_lots"."session_minutes" > 0);
--> statement-breakpoint
ALTER TABLE "credit_packs" ADD CONSTRAINT "credit_packs_session_minutes_positive" CHECK ("credit_packs"."session_minutes" > 0);
--> statement-breakpoint
-- What a session took: how many credits, and how many minutes they pay for (null: booked without a credit).
ALTER TABLE "tutoring_sessions" ADD COLUMN "credits" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "paid_minutes" integer;
--> statement-breakpoint
UPDATE "tutoring_sessions" SET "credits" = 0 WHERE "credit_lot_id" IS NULL;
--> statement-breakpoint
-- Sessions booked under the old rule (one credit for any length) keep paying their whole length.
UPDATE "tutoring_sessions" s SET "paid_minutes" = greatest(s."duration_minutes", l."session_minutes")
  FROM "credit_lots" l WHERE l."id" = s."credit_lot_id";
--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_credits_non_negative" CHECK ("tutoring_sessions"."credits" >= 0);
--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_paid_minutes_positive" CHECK ("tutoring_sessions"."paid_minutes" is null or "tutoring_sessions"."paid_minutes" > 0);
--> statement-breakpoint
-- Hourly rates have a ceiling (the highest per-currency maximum of TUTORING_POLICY), so pay
-- (rate × minutes) always fits a JavaScript safe integer. Rates above it could never be paid
-- (completion failed on them), so they are brought down to it.
UPDATE "teacher_profiles" SET "hourly_rate_minor" = 1000000000 WHERE "hourly_rate_minor" > 1000000000;
--> statement-breakpoint
UPDATE "tutoring_sessions" SET "hourly_rate_minor" = 1000000000 WHERE "hourly_rate_minor" > 1000000000;
--> statement-breakpoint
ALTER TABLE "teacher_profiles" ADD CONSTRAINT "teacher_profiles_rate_ceiling" CHECK ("teacher_profiles"."hourly_rate_minor" <= 1000000000);
--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_rate_ceiling" CHECK ("tutoring_sessions"."hourly_rate_minor" between 0 and 1000000000);
