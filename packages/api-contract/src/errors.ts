/**
 * Stable error codes. The message is for people; the code is for code (the apps translate it).
 * Each maps to one HTTP status, so a client can rely on both.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN_REQUEST: 403,
  ADMIN_ONLY: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  CANNOT_IMPERSONATE_ADMIN: 409,
  CANNOT_CHANGE_OWN_ROLE: 409,
  CANNOT_DISABLE_SELF: 409,
  ALREADY_IMPERSONATING: 409,
  NOT_IMPERSONATING: 403,
  CANNOT_IMPERSONATE_DISABLED: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
