-- Withdrawals: payout methods, withdrawal requests with their hashed one-time code, per-currency
-- limits (seeded, editable by admins) and per-user daily usage. The money moves in the ledger.
CREATE TYPE "public"."payout_method_kind" AS ENUM('stripe_connect', 'paystack', 'manual', 'local');--> statement-breakpoint
CREATE TYPE "public"."payout_method_status" AS ENUM('pending', 'ready');--> statement-breakpoint
CREATE TABLE "payout_methods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"kind" "payout_method_kind" NOT NULL,
	"currency" text NOT NULL,
	"label" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "payout_method_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "payout_methods_currency" CHECK ("currency" in ('USD', 'GBP', 'EUR', 'NGN', 'EGP'))
);
--> statement-breakpoint
ALTER TABLE "payout_methods" ADD CONSTRAINT "payout_methods_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payout_methods_user_idx" ON "payout_methods" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE TYPE "public"."withdrawal_status" AS ENUM('awaiting_code', 'in_review', 'approved', 'processing', 'paid', 'failed', 'rejected', 'cancelled');--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"method_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"status" "withdrawal_status" DEFAULT 'awaiting_code' NOT NULL,
	"code_hash" text,
	"code_salt" text,
	"code_expires_at" timestamp with time zone NOT NULL,
	"code_attempts" integer DEFAULT 0 NOT NULL,
	"fraud_score" integer,
	"fraud_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"usage_day" date,
	"provider_ref" text,
	"failure_reason" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	CONSTRAINT "withdrawals_amount_positive" CHECK ("amount" > 0 and "amount" <= 1000000000000000),
	CONSTRAINT "withdrawals_code_attempts" CHECK ("code_attempts" between 0 and 3),
	CONSTRAINT "withdrawals_confirmed" CHECK ("status" in ('awaiting_code', 'cancelled') or ("confirmed_at" is not null and "usage_day" is not null and "code_hash" is null))
);
--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_method_id_payout_methods_id_fk" FOREIGN KEY ("method_id") REFERENCES "public"."payout_methods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "withdrawals_user_idx" ON "withdrawals" USING btree ("user_id","created_at" DESC);--> statement-breakpoint
CREATE INDEX "withdrawals_status_idx" ON "withdrawals" USING btree ("status","created_at");--> statement-breakpoint
CREATE TABLE "withdrawal_limits" (
	"currency" text PRIMARY KEY NOT NULL,
	"min_amount" bigint NOT NULL,
	"per_withdrawal" bigint NOT NULL,
	"per_day" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "withdrawal_limits_order" CHECK (0 < "min_amount" and "min_amount" <= "per_withdrawal" and "per_withdrawal" <= "per_day" and "per_day" <= 1000000000000000)
);
--> statement-breakpoint
ALTER TABLE "withdrawal_limits" ADD CONSTRAINT "withdrawal_limits_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Defaults in minor units: USD/GBP/EUR 10 to 2,500 per withdrawal and 5,000 a day; NGN 1,000 to
-- 1,000,000 and 2,000,000; EGP 100 to 100,000 and 200,000.
INSERT INTO "withdrawal_limits" ("currency", "min_amount", "per_withdrawal", "per_day") VALUES
	('USD', 1000, 250000, 500000),
	('GBP', 1000, 250000, 500000),
	('EUR', 1000, 250000, 500000),
	('NGN', 100000, 100000000, 200000000),
	('EGP', 10000, 10000000, 20000000);
--> statement-breakpoint
CREATE TABLE "withdrawal_daily_usage" (
	"user_id" text NOT NULL,
	"currency" text NOT NULL,
	"day" date NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "withdrawal_daily_usage_pk" PRIMARY KEY("user_id","currency","day"),
	CONSTRAINT "withdrawal_daily_usage_amount" CHECK ("amount" >= 0)
);
--> statement-breakpoint
ALTER TABLE "withdrawal_daily_usage" ADD CONSTRAINT "withdrawal_daily_usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
