/** English messages of the console's withdrawals pages, merged into its English messages; Arabic mirrors these keys (withdrawals.ar.ts). */
export const withdrawalsEn = {};
