import type { checkoutEn } from "./checkout.en";

/** Arabic messages of the checkout screens: the same keys as checkout.en.ts. */
export const checkoutAr: typeof checkoutEn = {};
