-- Money in the ledger: the system accounts of sales, refunds, payouts and wallet adjustments (fixed
-- ids, apps/api/src/modules/ledger/accounts.ts), and teachers' earnings accounts become their wallets.
INSERT INTO "ledger_accounts" ("id", "kind", "currency", "allow_negative")
SELECT v.id::uuid, v.kind, v.currency, true FROM (VALUES
  ('00000000-0000-4000-8000-000000000005', 'credit_refunded', 'CREDIT'),
  ('00000000-0000-4000-8000-000000000201', 'payment_clearing', 'USD'),
  ('00000000-0000-4000-8000-000000000202', 'payment_clearing', 'GBP'),
  ('00000000-0000-4000-8000-000000000203', 'payment_clearing', 'EUR'),
  ('00000000-0000-4000-8000-000000000204', 'payment_clearing', 'NGN'),
  ('00000000-0000-4000-8000-000000000205', 'payment_clearing', 'EGP'),
  ('00000000-0000-4000-8000-000000000301', 'platform_revenue', 'USD'),
  ('00000000-0000-4000-8000-000000000302', 'platform_revenue', 'GBP'),
  ('00000000-0000-4000-8000-000000000303', 'platform_revenue', 'EUR'),
  ('00000000-0000-4000-8000-000000000304', 'platform_revenue', 'NGN'),
  ('00000000-0000-4000-8000-000000000305', 'platform_revenue', 'EGP'),
  ('00000000-0000-4000-8000-000000000401', 'payout_clearing', 'USD'),
  ('00000000-0000-4000-8000-000000000402', 'payout_clearing', 'GBP'),
  ('00000000-0000-4000-8000-000000000403', 'payout_clearing', 'EUR'),
  ('00000000-0000-4000-8000-000000000404', 'payout_clearing', 'NGN'),
  ('00000000-0000-4000-8000-000000000405', 'payout_clearing', 'EGP'),
  ('00000000-0000-4000-8000-000000000501', 'wallet_adjustment', 'USD'),
  ('00000000-0000-4000-8000-000000000502', 'wallet_adjustment', 'GBP'),
  ('00000000-0000-4000-8000-000000000503', 'wallet_adjustment', 'EUR'),
  ('00000000-0000-4000-8000-000000000504', 'wallet_adjustment', 'NGN'),
  ('00000000-0000-4000-8000-000000000505', 'wallet_adjustment', 'EGP')
) AS v(id, kind, currency);
--> statement-breakpoint
-- An account's kind never changes in normal operation (ledger_accounts_guard); this one rename is the exception.
ALTER TABLE "ledger_accounts" DISABLE TRIGGER "ledger_accounts_guard";
--> statement-breakpoint
UPDATE "ledger_accounts" SET "kind" = 'wallet' WHERE "kind" = 'teacher_earnings';
--> statement-breakpoint
ALTER TABLE "ledger_accounts" ENABLE TRIGGER "ledger_accounts_guard";
