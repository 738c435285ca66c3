import { ERROR_CODES, type ErrorCode } from "@lectern/api-contract";

/** The one error type services throw: a stable code for clients, a message for people. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CODES[code];
  }
}

/**
 * Postgres conflicts (unique, exclusion, deadlock, serialization, lock timeout) are the caller's 409, and text it
 * cannot store (NUL bytes) the caller's 400; never a 500.
 */
export function fromDatabaseError(error: unknown): AppError | undefined {
  const pg = pgErrorOf(error);
  const byConstraint = pg?.constraint ? CONSTRAINT_ERRORS[pg.constraint] : undefined;
  if (byConstraint) return new AppError(byConstraint[0], byConstraint[1], { cause: error });
  switch (pg?.code) {
    case "23505":
    case "23P01":
      return new AppError("CONFLICT", "This conflicts with existing data", { cause: error });
    case "22021":
    case "22P05":
      return new AppError("BAD_REQUEST", "The input contains characters that cannot be stored", { cause: error });
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", "A concurrent change got there first; please retry", { cause: error });
    // lock_timeout expired: another request holds the row; the transaction rolled back whole.
    case "55P03":
      return new AppError("LOCK_TIMEOUT", "Busy, please retry", { cause: error });
    default:
      return undefined;
  }
}

/** Constraints whose violation has a precise meaning for the caller. */
const CONSTRAINT_ERRORS: Record<string, [ErrorCode, string]> = {
  tutoring_sessions_teacher_no_overlap: ["SLOT_TAKEN", "The teacher already has a session at that time"],
  tutoring_sessions_learner_no_overlap: ["SLOT_TAKEN", "You already have a session at that time"],
  availability_rules_no_overlap: ["AVAILABILITY_OVERLAP", "These hours overlap hours already set"],
  availability_overrides_no_overlap: ["AVAILABILITY_OVERLAP", "This overlaps another change on that date"],
  ledger_accounts_balance_non_negative: ["INSUFFICIENT_BALANCE", "There is not enough balance for this"],
};

function pgErrorOf(error: unknown): { code?: string; constraint?: string } | undefined {
  for (
    let e = error as { code?: unknown; constraint?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === "string")
      return { code: e.code, constraint: typeof e.constraint === "string" ? e.constraint : undefined };
  }
  return undefined;
}
