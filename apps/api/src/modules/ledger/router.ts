// Credits: balances per lot, history. Mounted under credits.*
export const creditsProcedures = {};
/** Admin: credit packs, grants, payroll, review queues, teacher rates. Mounted under admin.* */
export const adminTutoringProcedures = {};
