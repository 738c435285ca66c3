-- Orders: one attempt to buy one item through a payment provider (checkout, issue 8). The amount is
-- computed on the server and snapshotted with what it buys; a paid order carries its payment, its
-- receipt number and the credit lot it opened, and nothing is granted to an order never paid.
CREATE TYPE "public"."order_item_type" AS ENUM('credit_pack', 'course', 'video', 'live_class');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('pending', 'paid', 'failed', 'expired', 'refunded');--> statement-breakpoint
CREATE SEQUENCE "public"."order_receipt_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"buyer_id" text NOT NULL,
	"item_type" "order_item_type" NOT NULL,
	"item_id" uuid NOT NULL,
	"description" text NOT NULL,
	"credits" integer,
	"session_minutes" integer,
	"validity_days" integer,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"tax_amount" bigint DEFAULT 0 NOT NULL,
	"tax_label" text,
	"status" "order_status" DEFAULT 'pending' NOT NULL,
	"provider" text NOT NULL,
	"provider_ref" text,
	"payment_ref" text,
	"checkout_url" text,
	"credit_lot_id" uuid,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"flag_reason" text,
	"receipt_number" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_receipt_number_unique" UNIQUE("receipt_number"),
	CONSTRAINT "orders_provider_ref_unique" UNIQUE("provider","provider_ref"),
	CONSTRAINT "orders_amount_bounded" CHECK ("orders"."amount" > 0 AND "orders"."amount" <= 1000000000000000),
	CONSTRAINT "orders_tax_within_amount" CHECK ("orders"."tax_amount" >= 0 AND "orders"."tax_amount" <= "orders"."amount"),
	CONSTRAINT "orders_refunded_within_amount" CHECK ("orders"."refunded_amount" >= 0 AND "orders"."refunded_amount" <= "orders"."amount"),
	CONSTRAINT "orders_currency_known" CHECK ("orders"."currency" IN ('USD', 'GBP', 'EUR', 'NGN', 'EGP')),
	CONSTRAINT "orders_provider_known" CHECK ("orders"."provider" IN ('stripe', 'paystack', 'paymob', 'local')),
	CONSTRAINT "orders_pack_snapshot" CHECK ("orders"."item_type" <> 'credit_pack' OR ("orders"."credits" > 0 AND "orders"."session_minutes" > 0 AND "orders"."validity_days" > 0)),
	CONSTRAINT "orders_paid_complete" CHECK ("orders"."status" NOT IN ('paid', 'refunded') OR ("orders"."paid_at" IS NOT NULL AND "orders"."payment_ref" IS NOT NULL
        AND "orders"."receipt_number" IS NOT NULL AND ("orders"."item_type" <> 'credit_pack' OR "orders"."credit_lot_id" IS NOT NULL))),
	CONSTRAINT "orders_unpaid_grants_nothing" CHECK ("orders"."status" IN ('paid', 'refunded') OR ("orders"."paid_at" IS NULL AND "orders"."credit_lot_id" IS NULL AND "orders"."receipt_number" IS NULL)),
	CONSTRAINT "orders_refunded_in_full" CHECK ("orders"."status" <> 'refunded' OR "orders"."refunded_amount" = "orders"."amount")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_credit_lot_id_credit_lots_id_fk" FOREIGN KEY ("credit_lot_id") REFERENCES "public"."credit_lots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_buyer_idx" ON "orders" USING btree ("buyer_id","created_at" DESC);--> statement-breakpoint
CREATE INDEX "orders_status_created_idx" ON "orders" USING btree ("status","created_at" DESC);--> statement-breakpoint
-- The expiry job's queue: pending, unflagged orders by deadline.
CREATE INDEX "orders_pending_expiry_idx" ON "orders" USING btree ("expires_at") WHERE "orders"."status" = 'pending' AND "orders"."flag_reason" IS NULL;
--> statement-breakpoint
-- The local provider's side of a payment (the buyer's choice on its page), found again by a lookup.
CREATE TABLE "local_payments" (
	"order_id" uuid PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "local_payments" ADD CONSTRAINT "local_payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;
