import type { AppRouter } from "@lectern/api/router";
import { ASSESSMENT_MAX_WORDS, ERROR_CODES, type ErrorCode, type ValidationIssue } from "@lectern/api-contract";
import { TRPCClientError } from "@trpc/client";
import type { TFunction } from "i18next";

/** better-auth error codes this app translates; any other falls back to the server's message. */
const AUTH_ERROR_CODES = [
  "INVALID_EMAIL_OR_PASSWORD",
  "INVALID_PASSWORD",
  "INVALID_EMAIL",
  "EMAIL_NOT_VERIFIED",
  "USER_ALREADY_EXISTS",
  "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
  "INVALID_TOKEN",
  "TOKEN_EXPIRED",
  "PASSWORD_TOO_SHORT",
  "PASSWORD_TOO_LONG",
  "BANNED_USER",
  "USER_NOT_FOUND",
  "CREDENTIAL_ACCOUNT_NOT_FOUND",
  "SESSION_EXPIRED",
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

const isAppCode = (code: unknown): code is ErrorCode => typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
const isAuthCode = (code: unknown): code is AuthErrorCode => AUTH_ERROR_CODES.includes(code as AuthErrorCode);

/** A better-auth call that answered with an error, thrown so every caller handles failures one way. */
class AuthError extends Error {
  readonly code: string | undefined;
  readonly status: number;
  /** Field problems, when the API's auth hooks name them (same shape as tRPC's `data.issues`). */
  readonly issues: ValidationIssue[];
  constructor(error: AuthErrorBody) {
    super(error.message ?? error.code ?? `HTTP ${error.status}`);
    this.name = "AuthError";
    this.code = error.code;
    this.status = error.status;
    this.issues = Array.isArray(error.issues) ? error.issues : [];
  }
}

type AuthErrorBody = { code?: string | undefined; message?: string | undefined; status: number; issues?: unknown };
type AuthResult<T> = { data: T; error: null } | { data: null; error: AuthErrorBody };

/** Awaits a better-auth client call and returns its data, or throws its error as an AuthError. */
export async function authCall<T>(call: Promise<AuthResult<T>>): Promise<T> {
  const { data, error } = await call;
  if (error) throw new AuthError(error);
  return data as T;
}

/** The English messages the contract's schemas spell out themselves, and their translations. */
const CONTRACT_MESSAGES: Record<string, (t: TFunction) => string> = {
  Required: (t) => t("validation.required"),
  "Passwords do not match": (t) => t("validation.passwordsMismatch"),
  "Unknown time zone": (t) => t("validation.unknownTimeZone"),
  "Write at least one word": (t) => t("validation.wordsMin"),
  [`Write at most ${ASSESSMENT_MAX_WORDS} words`]: (t) => t("validation.wordsMax", { max: ASSESSMENT_MAX_WORDS }),
  "The start must be before the end": (t) => t("availability.rangeOrder"),
};

/** A contract validation message in the UI language (other messages are shown as they are). */
export function translateContractMessage(message: string, t: TFunction): string {
  const translate = Object.hasOwn(CONTRACT_MESSAGES, message) ? CONTRACT_MESSAGES[message] : undefined;
  return translate ? translate(t) : message;
}

/**
 * One field problem the API reported, in the UI language, chosen by the issue's code (the API's
 * English text only picks among the contract's own messages).
 */
export function translateApiIssue(issue: Pick<ValidationIssue, "code" | "message">, t: TFunction): string {
  switch (issue.code) {
    case "too_small":
      return t("validation.belowMinimum");
    case "too_big":
      return t("validation.aboveMaximum");
    case "invalid_format":
      return t("validation.invalid");
    case "invalid_value":
      return t("validation.chooseOption");
    case "custom":
      return translateContractMessage(issue.message, t);
    default:
      return t("validation.invalid");
  }
}

/** What a failure means for the person: a stable code, one translated message, and per-field messages. */
export interface Failure {
  code: string;
  message: string;
  /** Keyed by the field's path as Mantine spells it: "name", "rules.0.startMinute". */
  fieldErrors: Record<string, string>;
}

/**
 * Turns anything a call can throw into a Failure.
 * - tRPC: `data.appCode` picks the translation (the server's message when the code is unknown here);
 *   a validation failure also carries `data.issues`, one per field path, translated by their codes
 *   (the server's message, which spells out those issues, is never shown).
 *   (A response without `data` never reached the API: a proxy or network failure.)
 * - better-auth: its `code` picks the translation; HTTP 429 means too many attempts.
 * - a rejected fetch (TypeError): the API could not be reached; anything else is unexpected.
 */
export function toFailure(error: unknown, t: TFunction): Failure {
  if (error instanceof TRPCClientError) return trpcFailure(error as TRPCClientError<AppRouter>, t);
  if (error instanceof AuthError) return authFailure(error, t);
  if (error instanceof TypeError) return { code: "NETWORK", message: t("errors.network"), fieldErrors: {} };
  return { code: "UNKNOWN", message: t("errors.unknown"), fieldErrors: {} };
}

/**
 * Whether a page's record does not exist: the API's 404, or an address whose id the API refuses as
 * malformed (for a page whose only input is that id, the two mean the same to the person).
 */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data = (error as TRPCClientError<AppRouter>).data;
  return data?.status === 404 || data?.appCode === "VALIDATION_FAILED";
}

function trpcFailure(error: TRPCClientError<AppRouter>, t: TFunction): Failure {
  const data = error.data;
  if (!data) return { code: "NETWORK", message: t("errors.network"), fieldErrors: {} };
  const code = data.appCode;
  const { fieldErrors, formError } = fromIssues(Array.isArray(data.issues) ? data.issues : [], t);
  const message = formError ?? (isAppCode(code) ? t(`errors.app.${code}`) : error.message);
  return { code: String(code), message, fieldErrors };
}

/** Issues as messages by field path ("rules.0.startMinute"); one about the whole input is the form's. */
function fromIssues(issues: ValidationIssue[], t: TFunction) {
  const fieldErrors: Record<string, string> = {};
  let formError: string | undefined;
  for (const issue of issues) {
    const path = issue.path.join(".");
    const message = translateApiIssue(issue, t);
    if (!path) formError ??= message;
    else fieldErrors[path] ??= message;
  }
  return { fieldErrors, formError };
}

function authFailure(error: AuthError, t: TFunction): Failure {
  if (error.status === 429) return { code: "RATE_LIMITED", message: t("errors.tooManyAttempts"), fieldErrors: {} };
  const { fieldErrors, formError } = fromIssues(error.issues, t);
  const message =
    formError ??
    (isAuthCode(error.code)
      ? t(`errors.auth.${error.code}`)
      : error.issues.length > 0 && isAppCode(error.code)
        ? t(`errors.app.${error.code}`)
        : error.message || t("errors.unknown"));
  return { code: error.code ?? `HTTP_${error.status}`, message, fieldErrors };
}

/** The translated message for a better-auth error code that arrives in a URL (e.g. after Google). */
export const authCodeMessage = (code: string, t: TFunction) =>
  isAuthCode(code) ? t(`errors.auth.${code}`) : undefined;
