-- Ledger core: system accounts with fixed ids, balances cached only on user-owned accounts,
-- per-learner held credits instead of one shared credit_reserved row, append-only history,
-- balances written only by the posting trigger, currency enforced by a composite key, and the
-- zero-sum rule checked once per statement.
DROP TRIGGER "ledger_entries_no_update" ON "ledger_entries";
--> statement-breakpoint
DROP TRIGGER "ledger_entries_apply" ON "ledger_entries";
--> statement-breakpoint
DROP TRIGGER "ledger_transaction_balanced" ON "ledger_entries";
--> statement-breakpoint
DROP FUNCTION "ledger_entries_immutable"();
--> statement-breakpoint
DROP FUNCTION "ledger_entries_apply"();
--> statement-breakpoint
DROP FUNCTION "ledger_transaction_balanced"();
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_account_id_ledger_accounts_id_fk";
--> statement-breakpoint
-- System accounts get the fixed ids the code knows (apps/api/src/modules/ledger/accounts.ts);
-- one created at runtime before this migration keeps its history under its new id.
DO $$
DECLARE f record; old uuid;
BEGIN
  FOR f IN SELECT * FROM (VALUES
    ('00000000-0000-4000-8000-000000000001'::uuid, 'credit_issuance', 'CREDIT'),
    ('00000000-0000-4000-8000-000000000002'::uuid, 'credit_consumed', 'CREDIT'),
    ('00000000-0000-4000-8000-000000000003'::uuid, 'credit_forfeited', 'CREDIT'),
    ('00000000-0000-4000-8000-000000000004'::uuid, 'credit_expired', 'CREDIT'),
    ('00000000-0000-4000-8000-000000000101'::uuid, 'payroll_expense', 'USD'),
    ('00000000-0000-4000-8000-000000000102'::uuid, 'payroll_expense', 'GBP'),
    ('00000000-0000-4000-8000-000000000103'::uuid, 'payroll_expense', 'EUR'),
    ('00000000-0000-4000-8000-000000000104'::uuid, 'payroll_expense', 'NGN'),
    ('00000000-0000-4000-8000-000000000105'::uuid, 'payroll_expense', 'EGP')
  ) AS v(id, kind, currency) LOOP
    SELECT "id" INTO old FROM "ledger_accounts"
      WHERE "owner_id" IS NULL AND "kind" = f.kind AND "currency" = f.currency;
    IF old IS NULL THEN
      INSERT INTO "ledger_accounts" ("id", "kind", "currency", "allow_negative") VALUES (f.id, f.kind, f.currency, true);
    ELSIF old <> f.id THEN
      UPDATE "ledger_accounts" SET "id" = f.id WHERE "id" = old;
      UPDATE "ledger_entries" SET "account_id" = f.id WHERE "account_id" = old;
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
-- Credits of booked sessions move from the shared credit_reserved row to each learner's
-- credit_held account, in one balanced transaction.
DO $$
DECLARE reserved uuid; moved uuid;
BEGIN
  SELECT "id" INTO reserved FROM "ledger_accounts"
    WHERE "owner_id" IS NULL AND "kind" = 'credit_reserved' AND "currency" = 'CREDIT';
  IF reserved IS NULL OR NOT EXISTS (
    SELECT 1 FROM "tutoring_sessions" WHERE "credit_outcome" = 'reserved' AND "credits" > 0
  ) THEN
    RETURN;
  END IF;
  INSERT INTO "ledger_accounts" ("owner_id", "kind", "currency", "balance")
    SELECT "learner_id", 'credit_held', 'CREDIT', sum("credits") FROM "tutoring_sessions"
    WHERE "credit_outcome" = 'reserved' AND "credits" > 0 GROUP BY "learner_id";
  INSERT INTO "ledger_transactions" ("kind", "description")
    VALUES ('credit.hold', 'Reserved credits moved to each learner''s held credits')
    RETURNING "id" INTO moved;
  INSERT INTO "ledger_entries" ("transaction_id", "account_id", "amount", "currency")
    SELECT moved, "id", "balance", 'CREDIT' FROM "ledger_accounts" WHERE "kind" = 'credit_held'
    UNION ALL
    SELECT moved, reserved, -sum("balance"), 'CREDIT' FROM "ledger_accounts" WHERE "kind" = 'credit_held';
END $$;
--> statement-breakpoint
-- System balances are not cached (a report sums their entries): always 0 from now on.
UPDATE "ledger_accounts" SET "balance" = 0 WHERE "owner_id" IS NULL;
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_system_not_cached" CHECK ("owner_id" IS NOT NULL OR "balance" = 0);
--> statement-breakpoint
-- Balances stay exact as JS numbers (docs/architecture.md, Data rules).
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_balance_safe" CHECK ("balance" BETWEEN -9007199254740991 AND 9007199254740991);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_bounded" CHECK ("amount" BETWEEN -1000000000000000 AND 1000000000000000);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_id_currency_unique" UNIQUE ("id", "currency");
--> statement-breakpoint
-- An entry's currency is its account's currency.
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_currency_fk" FOREIGN KEY ("account_id", "currency") REFERENCES "ledger_accounts"("id", "currency") ON DELETE restrict ON UPDATE no action;
--> statement-breakpoint
-- History is append-only. The one change allowed is the actor's FK setting actor_id to null when
-- a user is deleted.
CREATE FUNCTION "ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'ledger_transactions' THEN
    IF to_jsonb(NEW) ->> 'actor_id' IS NULL AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();
--> statement-breakpoint
CREATE TRIGGER "ledger_transactions_append_only" BEFORE UPDATE OR DELETE ON "ledger_transactions"
  FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();
--> statement-breakpoint
CREATE TRIGGER "ledger_transactions_no_truncate" BEFORE TRUNCATE ON "ledger_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();
--> statement-breakpoint
-- Once per INSERT statement: the new entries sum to zero per transaction and currency (so every
-- transaction does), then each user-owned account's balance moves by its net, in account id order
-- (one lock order for everyone). System accounts are skipped: no row is updated by every posting.
CREATE FUNCTION "ledger_entries_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  SELECT "transaction_id", "currency" INTO r FROM new_entries
    GROUP BY "transaction_id", "currency" HAVING sum("amount") <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance in %', r."transaction_id", r."currency"
      USING ERRCODE = 'check_violation';
  END IF;
  FOR r IN
    SELECT e."account_id", sum(e."amount") AS delta FROM new_entries e
    JOIN "ledger_accounts" a ON a."id" = e."account_id" AND a."owner_id" IS NOT NULL
    GROUP BY e."account_id" ORDER BY e."account_id"
  LOOP
    UPDATE "ledger_accounts" SET "balance" = "balance" + r.delta WHERE "id" = r."account_id";
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "ledger_entries_apply" AFTER INSERT ON "ledger_entries"
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entries_apply"();
--> statement-breakpoint
-- Only the apply trigger (trigger depth 2) writes a balance: a new account starts at 0, and an
-- account never changes owner, kind or currency.
CREATE FUNCTION "ledger_accounts_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 AND (
    (TG_OP = 'INSERT' AND NEW."balance" <> 0) OR (TG_OP = 'UPDATE' AND NEW."balance" <> OLD."balance")
  ) THEN
    RAISE EXCEPTION 'ledger balances are written only by posting entries' USING ERRCODE = 'restrict_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW."id", NEW."owner_id", NEW."kind", NEW."currency")
    IS DISTINCT FROM (OLD."id", OLD."owner_id", OLD."kind", OLD."currency") THEN
    RAISE EXCEPTION 'ledger accounts never change owner, kind or currency' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "ledger_accounts_guard" BEFORE INSERT OR UPDATE ON "ledger_accounts"
  FOR EACH ROW EXECUTE FUNCTION "ledger_accounts_guard"();
--> statement-breakpoint
-- What the scheduled drift check found (admin Health page).
CREATE TABLE "ledger_health_checks" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "checked_at" timestamp with time zone DEFAULT now() NOT NULL,
  "ok" boolean NOT NULL,
  "drifted_accounts" integer NOT NULL,
  "unbalanced_transactions" integer NOT NULL,
  "details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ledger_health_checks_checked_at_idx" ON "ledger_health_checks" USING btree ("checked_at");
