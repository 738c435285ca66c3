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
 * Postgres conflicts (unique, exclusion, deadlock, serialization) are the caller's 409, and text it
 * cannot store (NUL bytes) the caller's 400; never a 500.
 */
export function fromDatabaseError(error: unknown): AppError | undefined {
  const code = (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  switch (code) {
    case "23505":
    case "23P01":
      return new AppError("CONFLICT", "This conflicts with existing data", { cause: error });
    case "22021":
    case "22P05":
      return new AppError("BAD_REQUEST", "The input contains characters that cannot be stored", { cause: error });
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", "A concurrent change got there first; please retry", { cause: error });
    default:
      return undefined;
  }
}
