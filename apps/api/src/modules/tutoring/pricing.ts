import { sessionCredits, TUTORING_POLICY } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { runStatement } from "@lectern/db";
import { PAYING_LOT, PAYING_LOT_LOCKED } from "./booking-sql.ts";
import { creditBalance } from "./credits.ts";

/**
 * What a session costs. A credit pays for a session up to its lot's session length (the pack's,
 * snapshotted at grant); a longer session takes ceil(duration / length) credits of that lot.
 * A session is paid from one lot: the soonest-expiring usable lot that holds enough credits for it
 * on its own (FIFO by expiry, as before). So each session has one price, one lot to return its
 * credits to, and paid minutes = credits × that lot's length, never less than its duration.
 */
export interface PayingLot {
  lotId: string;
  accountId: string;
  credits: number;
  /** minutes one credit of this lot pays for */
  creditMinutes: number;
  paidMinutes: number;
}

/**
 * The lot that would pay for a session of this length now, or null. With `lock`, its ledger
 * account stays locked until the transaction ends (concurrent bookings by one learner queue here
 * and re-check the balance).
 */
export async function payingLot(
  db: DbOrTx,
  learnerId: string,
  durationMinutes: number,
  now: Date,
  lock: boolean,
): Promise<PayingLot | null> {
  const { rows } = await runStatement<{ lot_id: string; account_id: string; session_minutes: number }>(
    db,
    lock ? PAYING_LOT_LOCKED : PAYING_LOT,
    [learnerId, now, durationMinutes],
  );
  const row = rows[0];
  if (!row) return null;
  const credits = sessionCredits(durationMinutes, row.session_minutes);
  return {
    lotId: row.lot_id,
    accountId: row.account_id,
    credits,
    creditMinutes: row.session_minutes,
    paidMinutes: credits * row.session_minutes,
  };
}

/**
 * What booking a session of this length would cost the learner right now, for the booking dialog
 * (and the admin's form): the credits it takes, of which length, and how many they have. When no
 * single lot can pay, the price is given in their soonest-expiring credits (or the default length).
 */
export async function sessionCost(db: DbOrTx, learnerId: string, durationMinutes: number, now = new Date()) {
  const [lot, balance] = await Promise.all([
    payingLot(db, learnerId, durationMinutes, now, false),
    creditBalance(db, learnerId, now),
  ]);
  const soonest = balance.lots.find((l) => !l.expired && l.remaining > 0);
  const creditMinutes = lot?.creditMinutes ?? soonest?.sessionMinutes ?? TUTORING_POLICY.defaultSessionMinutes;
  return {
    durationMinutes,
    credits: lot?.credits ?? sessionCredits(durationMinutes, creditMinutes),
    creditMinutes,
    available: balance.totalAvailable,
    canAfford: lot !== null,
  };
}
