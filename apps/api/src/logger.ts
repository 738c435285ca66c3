import type { Env } from "@lectern/config";
import { type Logger, pino } from "pino";

export type { Logger };

export function createLogger(env: Pick<Env, "LOG_LEVEL">): Logger {
  return pino({
    level: env.LOG_LEVEL,
    base: { service: "lectern-api" },
    redact: ["req.headers.cookie", "*.password", "*.token"],
  });
}
