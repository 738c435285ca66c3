import { LOCALES } from "@lectern/api-contract";
import { NativeSelect } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { toFailure } from "../lib/errors";
import { currentLocale, isLocale, LANGUAGE_NAMES, setLanguage } from "../lib/i18n";
import { notifyFailure } from "../lib/notify";
import { useMe } from "../lib/session";
import { trpc } from "../lib/trpc";

/**
 * Switches the UI language; a signed-in user's choice is also saved to their profile
 * (not when an admin is viewing as them: that would change the user's own setting).
 */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const utils = trpc.useUtils();
  const save = trpc.account.updateProfile.useMutation({
    onSuccess: (profile) => utils.account.me.setData(undefined, (old) => old && { ...old, ...profile }),
    onError: (error) => void notifyFailure(toFailure(error, t).message),
  });

  const change = (value: string) => {
    if (!isLocale(value)) return;
    void setLanguage(value);
    if (me && !me.impersonator) save.mutate({ name: me.name, timezone: me.timezone, locale: value });
  };

  return (
    <NativeSelect
      aria-label={t("language.label")}
      value={currentLocale()}
      onChange={(event) => change(event.currentTarget.value)}
      w={120}
    >
      {LOCALES.map((locale) => (
        <option key={locale} value={locale} lang={locale}>
          {LANGUAGE_NAMES[locale]}
        </option>
      ))}
    </NativeSelect>
  );
}
