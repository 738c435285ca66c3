import { CURRENCY_MINOR_DIGITS, type Currency } from "@lectern/api-contract";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useCurrentUser } from "./session";

const minorDigits = (currency: string) => CURRENCY_MINOR_DIGITS[currency as Currency] ?? 2;

/**
 * Numbers, money, durations and dates in the UI language; dates in the signed-in user's own time zone.
 * Only for signed-in pages.
 */
export function useFormat() {
  const { i18n } = useTranslation();
  const { timezone } = useCurrentUser();
  const language = i18n.language;
  const rtl = i18n.dir(language) === "rtl";
  return useMemo(() => {
    const number = new Intl.NumberFormat(language);
    const signed = new Intl.NumberFormat(language, { signDisplay: "exceptZero" });
    const date = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: timezone });
    const dateLong = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: timezone });
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
    const moneyFormats = new Map<string, Intl.NumberFormat>();
    const moneyFormat = (currency: string) => {
      let format = moneyFormats.get(currency);
      if (!format) {
        const digits = minorDigits(currency);
        format = new Intl.NumberFormat(language, {
          style: "currency",
          currency,
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        });
        moneyFormats.set(currency, format);
      }
      return format;
    };
    return {
      number: (value: number) => number.format(value),
      /** With its sign: "+5", "−1", "0". */
      signed: (value: number) => signed.format(value),
      /** An amount in the currency's minor units (cents), shown in major units with the currency. */
      money: (amountMinor: number, currency: string) => {
        const parts = moneyFormat(currency).formatToParts(amountMinor / 10 ** minorDigits(currency));
        // In a right-to-left page a Latin symbol such as "US$" splits, its "$" drifting to the other
        // side ("$US 99.00"): isolate the symbol so it keeps its own direction as one unit.
        return parts.map((p) => (rtl && p.type === "currency" ? `\u2068${p.value}\u2069` : p.value)).join("");
      },
      /** "60 minutes", "90 days", with the language's own plural forms. */
      duration: (value: number, unit: "minute" | "day") =>
        new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "long" }).format(value),
      date: (value: Date) => date.format(value),
      /** "29 November 2026" */
      dateLong: (value: Date) => dateLong.format(value),
      dateTime: (value: Date) => dateTime.format(value),
    };
  }, [language, timezone, rtl]);
}
