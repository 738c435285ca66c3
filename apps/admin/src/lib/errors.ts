import type { AppRouter } from "@lectern/api/router";
import { ERROR_CODES, type ErrorCode } from "@lectern/api-contract";
import type { FormErrors } from "@mantine/form";
import { schemaResolver } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { TRPCClientError } from "@trpc/client";
import { i18n } from "./i18n.ts";

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

export function notifyError(error: unknown) {
  notifications.show({ color: "red", title: i18n.t("common.failed"), message: errorMessage(error) });
}

export const notifySuccess = (message: string) => notifications.show({ color: "green", message });

/** The contract's own messages are English words; zod's defaults follow the locale set in i18n.ts. */
const CONTRACT_MESSAGES: Record<string, "validation.required" | "validation.afterStart"> = {
  Required: "validation.required",
  "Must be after the start": "validation.afterStart",
};
const localize = (message: string) => {
  const key = CONTRACT_MESSAGES[message];
  return key ? i18n.t(key) : message;
};

/** Validates a form with the same zod schema the server applies, in the viewer's language. */
export function formResolver(schema: Parameters<typeof schemaResolver>[0]) {
  const resolve = schemaResolver(schema, { sync: true });
  return (values: unknown): FormErrors =>
    Object.fromEntries(Object.entries(resolve(values)).map(([path, message]) => [path, localize(String(message))]));
}

/** The server's per-field validation messages, to show on the form's own fields. */
export function serverFieldErrors(error: unknown): FormErrors {
  if (!(error instanceof TRPCClientError)) return {};
  const fieldErrors: Record<string, string[] | undefined> =
    (error as TRPCClientError<AppRouter>).data?.zodError?.fieldErrors ?? {};
  return Object.fromEntries(
    Object.entries(fieldErrors).flatMap(([field, messages]) => (messages?.[0] ? [[field, localize(messages[0])]] : [])),
  );
}
