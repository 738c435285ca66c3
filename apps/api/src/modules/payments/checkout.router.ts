/** Learners' checkout, orders and receipts. Mounted under payments.* (H1 fills this). */
export const paymentsProcedures = {};
