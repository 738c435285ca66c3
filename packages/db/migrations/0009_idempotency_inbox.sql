-- Idempotency keys: one row per (user, key). A request claims its key "in_progress" before it runs
-- and stores its response when it succeeds; a retry with the same body replays that response.
CREATE TYPE "public"."idempotency_status" AS ENUM('in_progress', 'completed');--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" text NOT NULL,
	"key" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" "idempotency_status" DEFAULT 'in_progress' NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_pk" PRIMARY KEY("user_id","key"),
	CONSTRAINT "idempotency_keys_completed_has_response" CHECK ("status" = 'in_progress' OR "response" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys" USING btree ("expires_at");--> statement-breakpoint
-- The inbox of provider events (payment and video webhooks): keyed by the provider's event id, so a
-- redelivery is recognised; an event is marked processed in the transaction that applies it.
CREATE TYPE "public"."provider_event_status" AS ENUM('received', 'processed', 'failed');--> statement-breakpoint
CREATE TABLE "provider_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" "provider_event_status" DEFAULT 'received' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "provider_events_provider_event_id_unique" UNIQUE("provider","event_id"),
	CONSTRAINT "provider_events_processed_at" CHECK (("status" = 'processed') = ("processed_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX "provider_events_status_idx" ON "provider_events" USING btree ("status","received_at" DESC);--> statement-breakpoint
CREATE INDEX "provider_events_received_at_idx" ON "provider_events" USING btree ("received_at" DESC);
