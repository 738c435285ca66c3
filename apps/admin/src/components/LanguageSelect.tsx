import { NativeSelect } from "@mantine/core";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { notifyError } from "../lib/errors.ts";
import { chooseLanguage, isLocale, LANGUAGES } from "../lib/i18n.ts";
import { trpc } from "../lib/trpc.ts";

const options = Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }));

// Mantine's Select (Combobox, floating-ui) loads after the first screen; until it has, a native select
// with the same label and value stands in for it.
const Select = lazy(async () => ({ default: (await import("./select.ts")).Select }));

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
  const change = (value: unknown) => {
    if (!isLocale(value)) return;
    void chooseLanguage(value);
    if (me && !me.impersonator) save.mutate({ name: me.name, timezone: me.timezone, locale: value });
  };
  const standIn = (
    <NativeSelect
      aria-label={t("language.label")}
      data={options}
      value={i18n.language}
      onChange={(event) => change(event.currentTarget.value)}
      w={120}
    />
  );
  return (
    <Suspense fallback={standIn}>
      <Select
        aria-label={t("language.label")}
        data={options}
        value={i18n.language}
        onChange={change}
        allowDeselect={false}
        w={120}
      />
    </Suspense>
  );
}
