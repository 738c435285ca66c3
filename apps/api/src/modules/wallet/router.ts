/** Teachers' and creators' wallets: balances, history, CSV, earnings chart. Mounted under wallet.* (H5 fills this). */
export const walletProcedures = {};

/** Admin: wallets and audited adjustments. Mounted under admin.wallets.* (H5 fills this). */
export const adminWalletsProcedures = {};
