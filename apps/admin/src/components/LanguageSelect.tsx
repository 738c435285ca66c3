import { Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { notifyError } from "../lib/errors.ts";
import { chooseLanguage, isLocale, LANGUAGES } from "../lib/i18n.ts";
import { trpc } from "../lib/trpc.ts";

const options = Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }));

/**
 * Switches the console's language; a signed-in admin's choice is saved to their profile, as in the web
 * app (not while impersonating: that is the user's own setting).
 */
export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const me = trpc.account.me.useQuery().data;
  const utils = trpc.useUtils();
  const save = trpc.account.updateProfile.useMutation({
    onSuccess: (profile) => utils.account.me.setData(undefined, (old) => old && { ...old, ...profile }),
    onError: notifyError,
  });
  const change = (value: string | null) => {
    if (!isLocale(value)) return;
    void chooseLanguage(value);
    if (me && !me.impersonator) save.mutate({ name: me.name, timezone: me.timezone, locale: value });
  };
  return (
    <Select
      aria-label={t("language.label")}
      data={options}
      value={i18n.language}
      onChange={change}
      allowDeselect={false}
      w={120}
    />
  );
}
