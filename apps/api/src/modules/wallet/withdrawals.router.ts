/** Payout methods and withdrawals. Mounted under withdrawals.* (H6 fills this). */
export const withdrawalsProcedures = {};

/** Admin: the withdrawal review queue and payouts. Mounted under admin.withdrawals.* (H6 fills this). */
export const adminWithdrawalsProcedures = {};
