-- Every learner who holds a credit lot gets their held-credit account now (new lots open it with
-- them), so every credit path can lock that one per-learner row first, before any lot: booking,
-- cancellation, completion, reversal and refunds then take the learner's rows in one order.
INSERT INTO "ledger_accounts" ("owner_id", "kind", "currency")
SELECT DISTINCT "learner_id", 'credit_held', 'CREDIT' FROM "credit_lots"
ON CONFLICT ("owner_id", "kind", "currency") WHERE "owner_id" IS NOT NULL AND "kind" <> 'credit_lot' DO NOTHING;
