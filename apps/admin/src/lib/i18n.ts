import "dayjs/locale/ar";
import type { Locale } from "@lectern/api-contract";
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { z } from "zod";
import { ar as zodArabic, en as zodEnglish } from "zod/locales";
import { ar } from "../locales/ar.ts";
import { en } from "../locales/en.ts";

/** Each language is named in its own script, so anyone can find theirs. */
export const LANGUAGES: Record<Locale, string> = { en: "English", ar: "العربية" };

const STORAGE_KEY = "lectern.admin.language";
export const isLocale = (value: unknown): value is Locale => value === "en" || value === "ar";

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
  // Mantine's DirectionProvider follows this attribute.
  document.documentElement.dir = i18n.dir(language);
  z.config(language === "ar" ? zodArabic() : zodEnglish());
});

// A field left empty (an empty number or select reaches the schema as undefined) is "Required", as the
// contract says for text; any other problem keeps zod's own message in the viewer's language.
z.config({ customError: (issue) => (issue.input === undefined ? i18n.t("validation.required") : undefined) });

const stored = localStorage.getItem(STORAGE_KEY);
await i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ar: { translation: ar } },
  lng: isLocale(stored) ? stored : navigator.language.startsWith("ar") ? "ar" : "en",
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});

/** The viewer's choice, kept in this browser for the sign-in page (a signed-in admin's is also saved to the profile). */
export function chooseLanguage(language: Locale) {
  localStorage.setItem(STORAGE_KEY, language);
  void i18n.changeLanguage(language);
}

/** Once signed in, the account's locale is the language, on every device. */
export function followAccountLocale(locale: string) {
  if (isLocale(locale) && locale !== i18n.language) chooseLanguage(locale);
}

export { i18n };
