/** English messages of the wallet screens, merged into the app's English messages; Arabic mirrors these keys (wallet.ar.ts). */
export const walletEn = {};
