import type { ordersEn } from "./orders.en.ts";

/** Arabic messages of the console's orders pages: the same keys as orders.en.ts. */
export const ordersAr: typeof ordersEn = {};
