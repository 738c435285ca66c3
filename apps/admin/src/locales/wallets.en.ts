/** English messages of the console's wallets pages, merged into its English messages; Arabic mirrors these keys (wallets.ar.ts). */
export const walletsEn = {};
