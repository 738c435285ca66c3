import { LOCALES, type Locale } from "@lectern/api-contract";
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { ar } from "../locales/ar";
import { en } from "../locales/en";

declare module "i18next" {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

const STORAGE_KEY = "lectern.language";

/** Each language named in itself, as language pickers conventionally show them. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", ar: "العربية" };

export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

function storedOrBrowserLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLocale(stored)) return stored;
  return navigator.language.toLowerCase().startsWith("ar") ? "ar" : "en";
}

i18n.on("languageChanged", (language) => {
  const locale = isLocale(language) ? language : "en";
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === "ar" ? "rtl" : "ltr";
});

// Resources are bundled, so initialise synchronously: the first render is already translated.
void i18n.use(initReactI18next).init({
  initAsync: false,
  resources: { en: { translation: en }, ar: { translation: ar } },
  lng: storedOrBrowserLocale(),
  fallbackLng: "en",
  supportedLngs: LOCALES,
  interpolation: {
    // React escapes HTML itself. In Arabic, each inserted value (an email, a Latin name) is wrapped in
    // Unicode bidi isolates so it keeps its own direction instead of being reordered with the sentence.
    escapeValue: true,
    escape: (value) => (i18n.language === "ar" ? `\u2068${value}\u2069` : value),
  },
});

/** The UI language, always one of the locales the API knows. */
export const currentLocale = (): Locale => (isLocale(i18n.language) ? i18n.language : "en");

/** Switches the UI language and remembers the choice in this browser. */
export function setLanguage(locale: Locale) {
  localStorage.setItem(STORAGE_KEY, locale);
  return i18n.changeLanguage(locale);
}

/** The browser's IANA time zone, sent at sign-up so times show in the user's own zone. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
