import type { withdrawalsEn } from "./withdrawals.en.ts";

/** Arabic messages of the console's withdrawals pages: the same keys as withdrawals.en.ts. */
export const withdrawalsAr: typeof withdrawalsEn = {};
