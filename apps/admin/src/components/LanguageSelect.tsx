import { Select } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { chooseLanguage, isLocale, LANGUAGES } from "../lib/i18n.ts";

const options = Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }));

export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t("language.label")}
      data={options}
      value={i18n.language}
      onChange={(value) => isLocale(value) && chooseLanguage(value)}
      allowDeselect={false}
      w={120}
    />
  );
}
