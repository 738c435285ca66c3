export * from "./audit.ts";
export * from "./auth.ts";
export * from "./notifications.ts";
