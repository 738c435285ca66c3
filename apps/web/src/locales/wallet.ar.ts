import type { walletEn } from "./wallet.en";

/** Arabic messages of the wallet screens: the same keys as wallet.en.ts. */
export const walletAr: typeof walletEn = {};
