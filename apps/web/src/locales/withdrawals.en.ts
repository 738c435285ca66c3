/** English messages of the withdrawals screens, merged into the app's English messages; Arabic mirrors these keys (withdrawals.ar.ts). */
export const withdrawalsEn = {};
