/** Admin: orders, refunds and platform revenue. Mounted under admin.orders.* (H3 fills this). */
export const adminOrdersProcedures = {};
