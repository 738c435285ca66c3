import type { Db } from "@lectern/db";
import { AppError } from "../../errors.ts";
import { type Budget, spendBudget } from "../../http/request-limits.ts";

/** A refusal by a money action's rate limit: 429 RATE_LIMITED, and when to try again (Retry-After). */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(what: string, retryAfterSeconds: number) {
    super("RATE_LIMITED", `Too many ${what} in a short time; try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Per-user and per-address limits on money actions (starting a checkout; withdrawals can reuse it),
 * counted in Postgres's request_rate_limits so every API process draws on one budget. Each call
 * spends one unit of every budget given; any one exhausted throws RateLimitedError. Pass the
 * database, never a transaction: a refusal must not roll back the units it spent.
 */
export async function enforceRateLimits(db: Db, what: string, limits: { key: string; budget: Budget }[]) {
  let retryAfterSeconds = 0;
  for (const { key, budget } of limits) {
    const spent = await spendBudget(db, key, budget);
    if (!spent.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, spent.retryAfterSeconds);
  }
  if (retryAfterSeconds > 0) throw new RateLimitedError(what, retryAfterSeconds);
}
