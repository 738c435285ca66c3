ALTER TABLE "email_outbox" ADD COLUMN "redacted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "ics" text;--> statement-breakpoint
CREATE TABLE "session_reminders_sent" (
	"session_id" uuid NOT NULL,
	"offset_minutes" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_reminders_sent_pk" PRIMARY KEY("session_id","offset_minutes","starts_at")
);
--> statement-breakpoint
ALTER TABLE "session_reminders_sent" ADD CONSTRAINT "session_reminders_sent_session_id_tutoring_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."tutoring_sessions"("id") ON DELETE cascade ON UPDATE no action;
