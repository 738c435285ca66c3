import type { withdrawalsEn } from "./withdrawals.en";

/** Arabic messages of the withdrawals screens: the same keys as withdrawals.en.ts. */
export const withdrawalsAr: typeof withdrawalsEn = {};
