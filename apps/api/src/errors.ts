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

/** Postgres conflicts (unique, exclusion, deadlock, serialization) are the caller's 409, not a 500. */
export function fromDatabaseError(error: unknown): AppError | undefined {
  const code = (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  switch (code) {
    case "23505":
    case "23P01":
      return new AppError("CONFLICT", "This conflicts with existing data", { cause: error });
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", "A concurrent change got there first; please retry", { cause: error });
    default:
      return undefined;
  }
}
