-- Per-key request budgets (e.g. tRPC mutations per user) shared by every API process: one row per
-- key holds the current fixed window's start and how many requests it has seen.
CREATE TABLE "request_rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "request_rate_limits_count_positive" CHECK ("count" > 0)
);
