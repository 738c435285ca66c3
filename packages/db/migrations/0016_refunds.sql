-- Refunds of orders (issue 8). An admin asks for one; the provider settles it later (or at once).
CREATE TYPE "public"."refund_status" AS ENUM('requested', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "order_refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"order_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"credits_removed" integer DEFAULT 0 NOT NULL,
	"reason" text NOT NULL,
	"status" "refund_status" DEFAULT 'requested' NOT NULL,
	"provider_refund_ref" text,
	"failure_reason" text,
	"requested_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "order_refunds_amount_bounded" CHECK ("order_refunds"."amount" > 0 and "order_refunds"."amount" <= 1000000000000000),
	CONSTRAINT "order_refunds_credits_non_negative" CHECK ("order_refunds"."credits_removed" >= 0),
	CONSTRAINT "order_refunds_reason_length" CHECK (char_length("order_refunds"."reason") between 1 and 500),
	CONSTRAINT "order_refunds_settled_at" CHECK (("order_refunds"."status" = 'requested') = ("order_refunds"."settled_at" is null))
);
--> statement-breakpoint
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_refunds" ADD CONSTRAINT "order_refunds_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_refunds_order_idx" ON "order_refunds" USING btree ("order_id","created_at");--> statement-breakpoint
-- One refund in flight per order: asking again re-sends that one with the same provider idempotency key.
CREATE UNIQUE INDEX "order_refunds_one_requested_idx" ON "order_refunds" USING btree ("order_id") WHERE "order_refunds"."status" = 'requested';--> statement-breakpoint
CREATE INDEX "order_refunds_provider_ref_idx" ON "order_refunds" USING btree ("provider_refund_ref");--> statement-breakpoint
-- What is refunded or being refunded never exceeds what was paid: the order row is locked first, so
-- two transactions adding refunds to one order are checked one after the other.
CREATE FUNCTION "order_refunds_within_amount"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	paid bigint;
	claimed bigint;
BEGIN
	SELECT "amount" INTO paid FROM "orders" WHERE "id" = NEW."order_id" FOR UPDATE;
	SELECT coalesce(sum("amount"), 0) INTO claimed FROM "order_refunds"
		WHERE "order_id" = NEW."order_id" AND "status" <> 'failed';
	IF claimed > paid THEN
		RAISE EXCEPTION 'refunds of order % exceed its amount', NEW."order_id"
			USING ERRCODE = 'check_violation', CONSTRAINT = 'order_refunds_within_amount';
	END IF;
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "order_refunds_within_amount" AFTER INSERT OR UPDATE OF "amount", "status" ON "order_refunds"
	FOR EACH ROW EXECUTE FUNCTION "order_refunds_within_amount"();
