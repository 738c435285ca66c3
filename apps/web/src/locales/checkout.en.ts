/** English messages of the checkout screens, merged into the app's English messages; Arabic mirrors these keys (checkout.ar.ts). */
export const checkoutEn = {};
