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
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BATCH_TOO_LARGE: 400,
  CONFLICT: 409,
  /** A row another request holds stayed locked too long (DATABASE_LOCK_TIMEOUT_MS): nothing changed, retry. */
  LOCK_TIMEOUT: 409,
  CANNOT_IMPERSONATE_ADMIN: 409,
  CANNOT_CHANGE_OWN_ROLE: 409,
  CANNOT_DISABLE_SELF: 409,
  ALREADY_IMPERSONATING: 409,
  NOT_IMPERSONATING: 403,
  CANNOT_IMPERSONATE_DISABLED: 409,
  /** a browser-only step (impersonation keeps the admin's session in a cookie): not with a bearer token */
  COOKIE_SESSION_REQUIRED: 403,
  /** the user's own-account actions an admin may not take in their name (devices; next: checkout, withdrawals) */
  NOT_WHILE_IMPERSONATING: 403,
  /** an admin's password is reset only by its owner (the emailed link would hand over the account) */
  CANNOT_RESET_ADMIN: 409,
  // tutoring
  NO_CREDITS: 409,
  INSUFFICIENT_BALANCE: 409,
  SLOT_TAKEN: 409,
  SLOT_UNAVAILABLE: 409,
  TOO_SOON: 409,
  TOO_LATE_TO_CHANGE: 409,
  SESSION_NOT_FOUND: 404,
  SESSION_NOT_BOOKED: 409,
  SESSION_NOT_STARTED: 409,
  SESSION_NOT_COMPLETED: 409,
  ALREADY_RATED: 409,
  HAS_LEDGER_EFFECT: 409,
  SESSION_STARTED: 409,
  REPORT_NOT_OPEN: 409,
  NO_SHOW_TOO_EARLY: 409,
  NO_SHOW_WINDOW_CLOSED: 409,
  SESSION_DISPUTED: 409,
  DISPUTE_NOT_OPEN: 409,
  ALREADY_REVERSED: 409,
  EARNINGS_ALREADY_PAID_OUT: 409,
  AVAILABILITY_OVERLAP: 409,
  DATE_IN_PAST: 409,
  TEACHER_NOT_FOUND: 404,
  LEARNER_NOT_FOUND: 404,
  PACK_NOT_FOUND: 404,
  ASSESSMENT_NOT_FOUND: 404,
  ALREADY_REVIEWED: 409,
  RATE_TOO_HIGH: 400,
  RATE_LIMITED: 429,
  // idempotency keys and the provider-event inbox
  /** The Idempotency-Key header is not 8–128 characters of A–Z, a–z, 0–9, "_" and "-". */
  IDEMPOTENCY_KEY_INVALID: 400,
  /** A request with this key is still running: wait for it, then retry to get its response. */
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** This key was already used for another request (other procedure or other input). */
  IDEMPOTENCY_KEY_REUSED: 422,
  PROVIDER_EVENT_NOT_FOUND: 404,
  /** No handler is registered for this provider's event type: nothing was applied. */
  PROVIDER_EVENT_NO_HANDLER: 409,
  /** Another process is applying this event right now. */
  PROVIDER_EVENT_BUSY: 409,
  // money: checkout — checkout and orders (H1)
  /** The pack has no price (or a zero price) in the chosen currency: pick one it is sold in. */
  PRICE_NOT_AVAILABLE: 400,
  /** No order of yours with that id. */
  ORDER_NOT_FOUND: 404,
  /** A receipt exists only once the order is paid. */
  ORDER_NOT_PAID: 409,
  /** The payment provider did not open a checkout (down or refusing): nothing was charged, try again. */
  PAYMENT_PROVIDER_UNAVAILABLE: 409,
  // money: refunds — refunds and the money console (H3; ORDER_NOT_FOUND and ORDER_NOT_PAID above serve refunds too)
  /** the order's credits are used up or already refunded, or its whole amount already is */
  NOTHING_TO_REFUND: 409,
  // money: wallets — wallets (H5)
  /** a wallet debit (an admin adjustment) beyond what the wallet has available */
  INSUFFICIENT_FUNDS: 409,
  // money: withdrawals — withdrawals and payouts (H6)
  /** no payout method with that id among the caller's */
  PAYOUT_METHOD_NOT_FOUND: 404,
  /** this kind of payout method is not offered for that currency here */
  PAYOUT_METHOD_UNAVAILABLE: 409,
  /** the payout method still waits for the provider (finish onboarding first) */
  PAYOUT_METHOD_NOT_READY: 409,
  /** a withdrawal in flight still uses this payout method */
  PAYOUT_METHOD_IN_USE: 409,
  /** the provider refused the bank details (Paystack could not resolve the account) */
  PAYOUT_ACCOUNT_INVALID: 400,
  /** no withdrawal with that id among the caller's */
  WITHDRAWAL_NOT_FOUND: 404,
  /** below the currency's minimum withdrawal */
  WITHDRAWAL_BELOW_MINIMUM: 409,
  /** above the currency's limit per withdrawal */
  WITHDRAWAL_ABOVE_LIMIT: 409,
  /** today's withdrawals in that currency would pass the daily limit */
  WITHDRAWAL_DAILY_LIMIT: 409,
  /** the emailed code does not match (attempts are counted) */
  WITHDRAWAL_CODE_INVALID: 400,
  /** the code is older than its 10 minutes: cancel and start again */
  WITHDRAWAL_CODE_EXPIRED: 409,
  /** the third wrong code cancelled the withdrawal */
  WITHDRAWAL_CODE_ATTEMPTS: 409,
  /** the withdrawal is not waiting for its code (already confirmed or cancelled) */
  WITHDRAWAL_NOT_AWAITING_CODE: 409,
  /** only a withdrawal awaiting its code or in review can be cancelled */
  WITHDRAWAL_NOT_CANCELLABLE: 409,
  /** only a withdrawal in review can be approved or rejected */
  WITHDRAWAL_NOT_IN_REVIEW: 409,
  /** only a manual payout waiting for the bank transfer can be marked paid or failed */
  WITHDRAWAL_NOT_AWAITING_PAYOUT: 409,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The most calls one tRPC batch request may carry; the apps' httpBatchLink uses the same number. */
export const TRPC_MAX_BATCH_SIZE = 10;

/** One problem with one input field, as the API reports it in `data.issues` of VALIDATION_FAILED. */
export interface ValidationIssue {
  /** Where in the input, e.g. ["slots", 2, "start"]; [] for the input as a whole. */
  path: (string | number)[];
  /** zod's issue code (e.g. "too_small", "invalid_type", "custom"): stable, for code. */
  code: string;
  /** The schema's message, in English: for people (or a fallback when the app has no translation). */
  message: string;
}

/** The `data` of every tRPC error Lectern sends (the errorFormatter's shape). */
export interface ApiErrorData {
  /** Lectern's stable code: translate this. */
  appCode: ErrorCode;
  /** The HTTP status of that code. */
  status: number;
  httpStatus: number;
  /** Field problems; an empty list unless appCode is VALIDATION_FAILED. */
  issues: ValidationIssue[];
}
