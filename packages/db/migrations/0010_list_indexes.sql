-- The credits page sums the reserved credits of each lot: find a lot's sessions without a scan.
CREATE INDEX "tutoring_sessions_credit_lot_idx" ON "tutoring_sessions" USING btree ("credit_lot_id") WHERE "tutoring_sessions"."credit_lot_id" is not null;--> statement-breakpoint
-- The admin's list of every session, latest first, read in index order with a LIMIT.
CREATE INDEX "tutoring_sessions_start_idx" ON "tutoring_sessions" USING btree ("starts_at" DESC,"id");--> statement-breakpoint
-- Resolved disputes, latest first (open ones have tutoring_sessions_open_dispute_idx).
CREATE INDEX "tutoring_sessions_resolved_dispute_idx" ON "tutoring_sessions" USING btree ("dispute_resolved_at" DESC,"id") WHERE "tutoring_sessions"."dispute_resolved_at" is not null;--> statement-breakpoint
-- The teacher directory and the admin's teacher list: teachers by name, read in order.
CREATE INDEX "users_teacher_name_idx" ON "users" USING btree ("name","id") WHERE "users"."role" = 'teacher';--> statement-breakpoint
-- Payroll reads the earnings postings of a date range without the other kinds of that range.
CREATE INDEX "ledger_transactions_kind_created_idx" ON "ledger_transactions" USING btree ("kind","created_at");--> statement-breakpoint
-- Rating stats kept on the teacher's profile by the rating transaction, so the directory reads them
-- instead of aggregating every teacher's sessions.
ALTER TABLE "teacher_profiles" ADD COLUMN "rating_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "teacher_profiles" ADD COLUMN "rating_sum" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "teacher_profiles" ADD CONSTRAINT "teacher_profiles_rating_stats" CHECK ("teacher_profiles"."rating_count" >= 0 and "teacher_profiles"."rating_sum" between "teacher_profiles"."rating_count" and 5 * "teacher_profiles"."rating_count");--> statement-breakpoint
INSERT INTO "teacher_profiles" ("user_id", "rating_count", "rating_sum")
SELECT "teacher_id", count(*)::int, sum("rating")::int FROM "tutoring_sessions" WHERE "rating" is not null GROUP BY "teacher_id"
ON CONFLICT ("user_id") DO UPDATE SET "rating_count" = excluded."rating_count", "rating_sum" = excluded."rating_sum";
