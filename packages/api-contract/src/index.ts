export * from "./account.ts";
export * from "./admin.ts";
export * from "./errors.ts";
export * from "./outputs.ts";
export * from "./payments.ts";
export * from "./records.ts";
export * from "./sessions.ts";
export * from "./tutoring.ts";
