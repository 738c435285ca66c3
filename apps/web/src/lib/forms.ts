import { schemaResolver, type UseFormReturnType, useForm } from "@mantine/form";
import type { TFunction } from "i18next";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import { type Failure, toFailure, translateContractMessage } from "./errors";

/** One zod issue as a message in the UI language, chosen by the issue's code rather than its English text. */
function translateIssue(issue: z.core.$ZodIssue, t: TFunction): string {
  switch (issue.code) {
    case "too_small":
      return Number(issue.minimum) <= 1
        ? t("validation.required")
        : t("validation.tooShort", { count: Number(issue.minimum) });
    case "too_big":
      return t("validation.tooLong", { count: Number(issue.maximum) });
    case "invalid_format":
      return issue.format === "email" ? t("validation.invalidEmail") : t("validation.invalid");
    case "custom":
      return translateContractMessage(issue.message, t);
    // The forms offer enum values only as choices, so a value outside them means none was picked yet.
    case "invalid_value":
      return t("validation.chooseOption");
    default:
      return t("validation.invalid");
  }
}

/** The contract's zod schema as a Standard Schema whose issues speak the UI language. */
function translated(schema: z.ZodType, t: TFunction) {
  return {
    "~standard": {
      version: 1 as const,
      vendor: "lectern",
      validate: (value: unknown) => {
        const result = schema.safeParse(value);
        if (result.success) return { value: result.data };
        return {
          issues: result.error.issues.map((issue) => ({ path: issue.path, message: translateIssue(issue, t) })),
        };
      },
    },
  };
}

/**
 * A Mantine form validated by the same zod schema the server applies, with translated messages.
 * Submit handlers receive the schema's output (trimmed names, lower-cased emails).
 */
export function useSchemaForm<S extends z.ZodType<Record<string, unknown>, Record<string, unknown>>>(
  schema: S,
  initialValues: z.input<S>,
) {
  const { t } = useTranslation();
  // Stable between renders (Mantine's callbacks depend on it); renewed when the language changes.
  const validate = useMemo(() => schemaResolver(translated(schema, t), { sync: true }), [schema, t]);
  return useForm<z.input<S>, z.output<S>>({
    initialValues,
    validate,
    validateInputOnBlur: true,
    transformValues: (values) => schema.parse(values),
  });
}

/**
 * useSchemaForm for a first screen: the schema, and zod with it, loads after the screen shows, keeping
 * both out of the first download. Until it arrives (a moment) the form checks nothing itself and the
 * API, which applies the same schema, answers for it.
 */
export function useLazySchemaForm<S extends z.ZodType<Record<string, unknown>, Record<string, unknown>>>(
  load: () => Promise<S>,
  initialValues: z.input<S>,
) {
  const { t } = useTranslation();
  const [schema, setSchema] = useState<S | null>(null);
  useEffect(() => {
    let current = true;
    void load().then((loaded) => current && setSchema(() => loaded));
    return () => {
      current = false;
    };
  }, [load]);
  const validate = useMemo(
    () => (schema ? schemaResolver(translated(schema, t), { sync: true }) : () => ({})),
    [schema, t],
  );
  return useForm<z.input<S>, z.output<S>>({
    initialValues,
    validate,
    validateInputOnBlur: true,
    transformValues: (values) => (schema ? schema.parse(values) : (values as z.output<S>)),
  });
}

/** Whether a dotted path ("rules.0.startMinute") names a value in the form. */
function hasPath(values: unknown, path: string): boolean {
  let node = values;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * A failure as this form shows it: field errors whose path is one of the form's fields go beside
 * that field; the others (a field the form does not show) become the message above the form.
 */
export function placeFailure(failure: Failure, values: unknown): Failure {
  const fieldErrors: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [path, message] of Object.entries(failure.fieldErrors)) {
    if (hasPath(values, path)) fieldErrors[path] = message;
    else elsewhere.push(message);
  }
  const message = elsewhere.length > 0 ? [...new Set(elsewhere)].join(" ") : failure.message;
  return { ...failure, message, fieldErrors };
}

/**
 * Wraps a form's submit handler: whatever the handler throws becomes a Failure, its field errors land
 * on the form's fields and its message is returned for the form to show (translated at render time).
 */
export function useSubmit<Values, Output>(
  form: UseFormReturnType<Values, Output>,
  handler: (values: Output) => Promise<unknown>,
) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const onSubmit = form.onSubmit(async (values) => {
    setError(null);
    try {
      await handler(values);
    } catch (caught) {
      setError(caught);
      form.setErrors(placeFailure(toFailure(caught, t), form.getValues()).fieldErrors);
    }
  });
  const failure: Failure | null = error ? placeFailure(toFailure(error, t), form.getValues()) : null;
  return { onSubmit, failure };
}

/**
 * For inputs that take free text: each paragraph runs in the direction of its own script, so English
 * typed in the Arabic UI (or the reverse) keeps its punctuation in place. (Mantine puts a `dir`
 * prop on the input's wrapper, not on the input.)
 */
export const FREE_TEXT_STYLES = { input: { unicodeBidi: "plaintext" } } as const;
