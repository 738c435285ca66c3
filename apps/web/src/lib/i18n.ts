import { LOCALES, type Locale } from "@lectern/api-contract";
import i18n, { type Resource } from "i18next";
import { initReactI18next } from "react-i18next";
import { en, type Messages } from "../locales/en";

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

// English comes with the app (it is also the fallback); Arabic loads the first time it is chosen, so
// English readers never download it.
const loadArabic = async (): Promise<Messages> => (await import("../locales/ar")).ar;

/** Resolves once the chosen language's messages are loaded: main.tsx renders after it, already translated. */
export const i18nReady = (async () => {
  const initial = storedOrBrowserLocale();
  const resources: Resource = { en: { translation: en } };
  if (initial === "ar") resources.ar = { translation: await loadArabic() };
  await i18n.use(initReactI18next).init({
    resources,
    lng: initial,
    fallbackLng: "en",
    supportedLngs: LOCALES,
    interpolation: {
      // React escapes HTML itself. In Arabic, each inserted value (an email, a Latin name) is wrapped in
      // Unicode bidi isolates so it keeps its own direction instead of being reordered with the sentence.
      escapeValue: true,
      escape: (value) => (i18n.language === "ar" ? `\u2068${value}\u2069` : value),
    },
  });
})();

/** The UI language, always one of the locales the API knows. */
export const currentLocale = (): Locale => (isLocale(i18n.language) ? i18n.language : "en");

/** Switches the UI language and remembers the choice in this browser. */
export async function setLanguage(locale: Locale) {
  localStorage.setItem(STORAGE_KEY, locale);
  if (!i18n.hasResourceBundle(locale, "translation")) i18n.addResourceBundle(locale, "translation", await loadArabic());
  return i18n.changeLanguage(locale);
}

/** The browser's IANA time zone, sent at sign-up so times show in the user's own zone. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
