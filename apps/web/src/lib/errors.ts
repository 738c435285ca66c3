import type { AppRouter } from "@lectern/api/router";
import { ASSESSMENT_MAX_WORDS, ERROR_CODES, type ErrorCode } from "@lectern/api-contract";
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
  constructor(error: { code?: string | undefined; message?: string | undefined; status: number }) {
    super(error.message ?? error.code ?? `HTTP ${error.status}`);
    this.name = "AuthError";
    this.code = error.code;
    this.status = error.status;
  }
}

type AuthResult<T> =
  | { data: T; error: null }
  | { data: null; error: { code?: string | undefined; message?: string | undefined; status: number } };

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

/** What a failure means for the person: a stable code, one translated message, and per-field messages. */
export interface Failure {
  code: string;
  message: string;
  fieldErrors: Record<string, string>;
}

/**
 * Turns anything a call can throw into a Failure.
 * - tRPC: `data.appCode` picks the translation (the server's message when the code is unknown here);
 *   a validation failure also carries zod's field errors, keyed like the form's values.
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

function trpcFailure(error: TRPCClientError<AppRouter>, t: TFunction): Failure {
  const data = error.data;
  if (!data) return { code: "NETWORK", message: t("errors.network"), fieldErrors: {} };
  const code = data.appCode;
  const fieldErrors: Record<string, string> = {};
  for (const [field, messages] of Object.entries<string[] | undefined>(data.zodError?.fieldErrors ?? {})) {
    const first = messages?.[0];
    if (first) fieldErrors[field] = translateContractMessage(first, t);
  }
  const formError = data.zodError?.formErrors[0];
  const message = formError
    ? translateContractMessage(formError, t)
    : isAppCode(code)
      ? t(`errors.app.${code}`)
      : error.message;
  return { code: String(code), message, fieldErrors };
}

function authFailure(error: AuthError, t: TFunction): Failure {
  if (error.status === 429) return { code: "RATE_LIMITED", message: t("errors.tooManyAttempts"), fieldErrors: {} };
  const message = isAuthCode(error.code) ? t(`errors.auth.${error.code}`) : error.message || t("errors.unknown");
  return { code: error.code ?? `HTTP_${error.status}`, message, fieldErrors: {} };
}

/** The translated message for a better-auth error code that arrives in a URL (e.g. after Google). */
export const authCodeMessage = (code: string, t: TFunction) =>
  isAuthCode(code) ? t(`errors.auth.${code}`) : undefined;
