CREATE TABLE "session_change_emails_sent" (
	"session_id" uuid NOT NULL,
	"change" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_change_emails_sent_pk" PRIMARY KEY("session_id","change","changed_at")
);
--> statement-breakpoint
ALTER TABLE "session_change_emails_sent" ADD CONSTRAINT "session_change_emails_sent_session_id_tutoring_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."tutoring_sessions"("id") ON DELETE cascade ON UPDATE no action;
