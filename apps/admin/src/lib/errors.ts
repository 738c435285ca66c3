import type { AppRouter } from "@lectern/api/router";
import { ERROR_CODES, type ErrorCode, type ValidationIssue } from "@lectern/api-contract";
import type { FormErrors } from "@mantine/form";
import { schemaResolver } from "@mantine/form";
import { TRPCClientError } from "@trpc/client";
import { useCallback, useEffect, useState } from "react";
import type { z } from "zod";
import { i18n, zodMessage } from "./i18n.ts";

const isErrorCode = (code: unknown): code is ErrorCode => typeof code === "string" && code in ERROR_CODES;

/** For answers that are not tRPC errors (a proxy's, or a middleware's before tRPC): the nearest code. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  429: "RATE_LIMITED",
};

/** The stable code of a failed call, or NETWORK when the server never answered. */
export function errorCode(error: unknown): ErrorCode | "NETWORK" {
  if (!(error instanceof TRPCClientError)) return "INTERNAL";
  const { data, meta } = error as TRPCClientError<AppRouter>;
  if (data) return isErrorCode(data.appCode) ? data.appCode : "INTERNAL";
  const response = meta?.response;
  if (!(response instanceof Response)) return "NETWORK";
  return CODE_BY_STATUS[response.status] ?? "INTERNAL";
}

export const errorMessage = (error: unknown) => i18n.t(`errors.${errorCode(error)}`);

// The notifications package loads on first use: the first screen does not need it.
const notify = async (notification: { color: string; title?: string; message: string }) =>
  (await import("@mantine/notifications")).notifications.show(notification);

export function notifyError(error: unknown) {
  void notify({ color: "red", title: i18n.t("common.failed"), message: errorMessage(error) });
}

export const notifySuccess = (message: string) => void notify({ color: "green", message });

/** The contract's own messages are English words; zod's defaults follow the viewer's language (zodMessage). */
const CONTRACT_MESSAGES: Record<string, "validation.required" | "validation.afterStart"> = {
  Required: "validation.required",
  "Must be after the start": "validation.afterStart",
};
const localize = (message: string) => {
  const key = CONTRACT_MESSAGES[message];
  return key ? i18n.t(key) : message;
};

/** Validates a form with the same zod schema the server applies, in the viewer's language. */
export function formResolver(schema: z.ZodType) {
  // A Standard Schema whose parse carries the viewer's messages (zodMessage).
  const withMessages = {
    "~standard": {
      version: 1 as const,
      vendor: "lectern",
      validate: (value: unknown) => {
        const result = schema.safeParse(value, { error: zodMessage });
        return result.success ? { value: result.data } : { issues: result.error.issues };
      },
    },
  };
  const resolve = schemaResolver(withMessages, { sync: true });
  return (values: unknown): FormErrors =>
    Object.fromEntries(Object.entries(resolve(values)).map(([path, message]) => [path, localize(String(message))]));
}

/**
 * formResolver for a first screen: the schema, and zod with it, loads after the screen shows, keeping both
 * out of the first download. Until it arrives (a moment) the form checks nothing itself and the API, which
 * applies the same schema, answers for it.
 */
export function useLazyFormResolver(load: () => Promise<z.ZodType>) {
  const [resolve, setResolve] = useState<((values: unknown) => FormErrors) | null>(null);
  useEffect(() => {
    let current = true;
    void load().then((schema) => current && setResolve(() => formResolver(schema)));
    return () => {
      current = false;
    };
  }, [load]);
  return useCallback((values: unknown) => resolve?.(values) ?? {}, [resolve]);
}

/** The viewer's words for a server issue: the contract's own messages translated; zod's defaults are English. */
function issueMessage(issue: ValidationIssue): string {
  const key = CONTRACT_MESSAGES[issue.message];
  if (key) return i18n.t(key);
  return i18n.language === "en" ? issue.message : i18n.t("validation.invalid");
}

/** The problems of a VALIDATION_FAILED answer, each with where in the input it is. */
export function validationIssues(error: unknown): ValidationIssue[] {
  if (!(error instanceof TRPCClientError)) return [];
  return (error as TRPCClientError<AppRouter>).data?.issues ?? [];
}

/**
 * The server's validation issues by form field: a path ["prices", "USD"] is Mantine's "prices.USD";
 * `fields` renames the server's paths to the form's own ({ hourlyRateMinor: "rate" }). First issue per field wins.
 */
export function serverFieldErrors(error: unknown, fields: Record<string, string> = {}): FormErrors {
  const errors: FormErrors = {};
  for (const issue of validationIssues(error)) {
    if (issue.path.length === 0) continue;
    const path = issue.path.join(".");
    const field = fields[path] ?? path;
    errors[field] ??= issueMessage(issue);
  }
  return errors;
}

const hasField = (values: unknown, path: string) =>
  path.split(".").every((key) => {
    if (values === null || typeof values !== "object" || !(key in values)) return false;
    values = (values as Record<string, unknown>)[key];
    return true;
  });

interface FormLike {
  getValues: () => unknown;
  setErrors: (errors: FormErrors) => void;
}

/**
 * Shows a failed save on its form: each validation issue beside its field. What no field can show (another
 * refusal, or an issue about a value the form has no field for) goes to `notify`.
 */
export function showFormError(
  error: unknown,
  form: FormLike,
  { fields, notify = notifyError }: { fields?: Record<string, string>; notify?: (error: unknown) => void } = {},
) {
  const errors = serverFieldErrors(error, fields);
  const values = form.getValues();
  const placed = Object.entries(errors).filter(([path]) => hasField(values, path));
  if (placed.length > 0) form.setErrors(Object.fromEntries(placed));
  if (placed.length === 0 || placed.length < Object.keys(errors).length) notify(error);
}
