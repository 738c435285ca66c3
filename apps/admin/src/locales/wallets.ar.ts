import type { walletsEn } from "./wallets.en.ts";

/** Arabic messages of the console's wallets pages: the same keys as wallets.en.ts. */
export const walletsAr: typeof walletsEn = {};
