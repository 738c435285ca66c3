import { TUTORING_POLICY } from "@lectern/api-contract";
import type { FormErrors } from "@mantine/form";
import { useTranslation } from "react-i18next";
import { formResolver } from "../../lib/errors.ts";
import { useFormat } from "../../lib/format.ts";

/** The lengths the policy allows, as options of a select. */
export function useLengthOptions() {
  const { t } = useTranslation();
  const format = useFormat();
  return TUTORING_POLICY.sessionLengths.map((minutes) => ({
    value: minutes,
    label: t("common.minutes", { minutes: format.number(minutes) }),
  }));
}

/** Messages of the session schemas that are English words, in the viewer's language. */
const SESSION_MESSAGES: Record<string, string> = {
  "A reason is required to book without a credit": "sessions.reasonRequired",
};

/** formResolver, plus the session contract's own messages translated. */
export function sessionResolver(schema: Parameters<typeof formResolver>[0], t: (key: string) => string) {
  const resolve = formResolver(schema);
  return (values: unknown): FormErrors =>
    Object.fromEntries(
      Object.entries(resolve(values)).map(([path, message]) => {
        const key = SESSION_MESSAGES[String(message)];
        return [path, key ? t(key) : message];
      }),
    );
}
