-- Session lifecycle: no-shows, the teacher-absent dispute queue and admin reversals.
ALTER TABLE "tutoring_sessions" ADD COLUMN "learner_absent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "teacher_absent_reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "teacher_absent_note" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "dispute_resolution" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "dispute_resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "dispute_resolved_by" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "dispute_note" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "reversed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "reversed_by" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD COLUMN "reversal_reason" text;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_dispute_resolved_by_users_id_fk" FOREIGN KEY ("dispute_resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_reversed_by_users_id_fk" FOREIGN KEY ("reversed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_dispute_resolution" CHECK ("tutoring_sessions"."dispute_resolution" is null or "tutoring_sessions"."dispute_resolution" in ('refund', 'complete'));--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_dispute_resolved" CHECK (("tutoring_sessions"."dispute_resolved_at" is null) = ("tutoring_sessions"."dispute_resolution" is null) and ("tutoring_sessions"."dispute_resolved_at" is null or "tutoring_sessions"."teacher_absent_reported_at" is not null));--> statement-breakpoint
ALTER TABLE "tutoring_sessions" ADD CONSTRAINT "tutoring_sessions_reversal_reason" CHECK ("tutoring_sessions"."reversed_at" is null or "tutoring_sessions"."reversal_reason" is not null);--> statement-breakpoint
CREATE INDEX "tutoring_sessions_open_dispute_idx" ON "tutoring_sessions" USING btree ("teacher_absent_reported_at") WHERE "tutoring_sessions"."teacher_absent_reported_at" is not null and "tutoring_sessions"."dispute_resolved_at" is null;
