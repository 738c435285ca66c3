import type { Locale } from "@lectern/api-contract";
import i18n, { type Resource } from "i18next";
import { initReactI18next } from "react-i18next";
import type { z } from "zod";
import { en } from "../locales/en.ts";

/** Each language is named in its own script, so anyone can find theirs. */
export const LANGUAGES: Record<Locale, string> = { en: "English", ar: "العربية" };

const STORAGE_KEY = "lectern.admin.language";
export const isLocale = (value: unknown): value is Locale => value === "en" || value === "ar";

// English comes with the console (it is also the fallback). Arabic (the console's messages, zod's, and
// dayjs's month names) loads the first time it is chosen, so English readers never download it.
let zodArabic: { localeError: z.core.$ZodErrorMap } | undefined;
async function loadArabic() {
  const [{ ar }, zod] = await Promise.all([
    import("../locales/ar.ts"),
    import("zod/v4/locales/ar.js"),
    import("dayjs/locale/ar"),
  ]);
  zodArabic = zod.default();
  return ar;
}

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
  // Mantine's DirectionProvider follows this attribute.
  document.documentElement.dir = i18n.dir(language);
});

/**
 * zod's message for a form's issue in the viewer's language, given to each parse (see formResolver) rather
 * than set with z.config, which would bring zod into the first download. A field left empty (an empty
 * number or select reaches the schema as undefined) is "Required", as the contract says for text; any
 * other problem keeps zod's own message (English is zod's default).
 */
export const zodMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined) return i18n.t("validation.required");
  // zod's Arabic arrives with the console's (loadArabic), before the language switches to it.
  return i18n.language === "ar" ? zodArabic?.localeError(issue) : undefined;
};

const stored = localStorage.getItem(STORAGE_KEY);
const initial: Locale = isLocale(stored) ? stored : navigator.language.startsWith("ar") ? "ar" : "en";
const resources: Resource = { en: { translation: en } };
// Before the first render, which is then already in the chosen language.
if (initial === "ar") resources.ar = { translation: await loadArabic() };
await i18n.use(initReactI18next).init({
  resources,
  lng: initial,
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});

/** The viewer's choice, kept in this browser for the sign-in page (a signed-in admin's is also saved to the profile). */
export async function chooseLanguage(language: Locale) {
  localStorage.setItem(STORAGE_KEY, language);
  if (!i18n.hasResourceBundle(language, "translation")) {
    i18n.addResourceBundle(language, "translation", await loadArabic());
  }
  await i18n.changeLanguage(language);
}

/** Once signed in, the account's locale is the language, on every device. */
export function followAccountLocale(locale: string) {
  if (isLocale(locale) && locale !== i18n.language) void chooseLanguage(locale);
}

export { i18n };
