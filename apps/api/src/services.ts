// The domain services, for code outside the API that sets up worlds through the same rules the
// API enforces: browser tests and scripts. The apps never import this (server code).
export { runLedgerHealthCheck } from "./modules/ledger/health.ts";
export { applyEvent, recordEvent } from "./modules/payments/inbox.ts";
export { setWeeklyAvailability } from "./modules/tutoring/availability.ts";
export { creditBalance, openCreditLot } from "./modules/tutoring/credits.ts";
export { teacherSlots, updateTeacherProfile } from "./modules/tutoring/directory.ts";
export { setTeacherRate } from "./modules/tutoring/payroll.ts";
export { bookSession, reportSession } from "./modules/tutoring/sessions.ts";
export { adjustUserWallet } from "./modules/wallet/admin.ts";
