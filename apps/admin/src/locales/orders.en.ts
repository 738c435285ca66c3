/** English messages of the console's orders pages, merged into its English messages; Arabic mirrors these keys (orders.ar.ts). */
export const ordersEn = {};
