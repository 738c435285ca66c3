export * from "./audit.ts";
export * from "./auth.ts";
export * from "./ledger.ts";
export * from "./limits.ts";
export * from "./notifications.ts";
export * from "./payments.ts";
export * from "./tutoring.ts";
