import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { trpc } from "./trpc.ts";

/** Dates in the viewer's language and in the time zone stored on their account; audit actions by name. */
export function useFormat() {
  const { t, i18n } = useTranslation();
  const timeZone = trpc.account.me.useQuery().data?.timezone;
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone });
    const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeZone });
    return {
      timeZone,
      dateTime: (value: Date) => dateTime.format(value),
      date: (value: Date) => date.format(value),
      /** "user.role.change" → "Role changed"; actions without a translation show their code. */
      action: (action: string) => {
        const key = `auditActions.${action.replaceAll(".", "_")}`;
        return i18n.exists(key) ? t(key) : action;
      },
    };
  }, [t, i18n, timeZone]);
}
