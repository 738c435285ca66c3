import { CURRENCY_MINOR_DIGITS, type Currency } from "@lectern/api-contract";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { trpc } from "./trpc.ts";

const minorDigits = (currency: string) => CURRENCY_MINOR_DIGITS[currency as Currency] ?? 2;

/**
 * Dates in the viewer's language and in the time zone stored on their account; numbers and money in
 * the viewer's language; audit actions by name.
 */
export function useFormat() {
  const { t, i18n } = useTranslation();
  const timeZone = trpc.account.me.useQuery().data?.timezone;
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short", timeZone });
    const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeZone });
    const rtl = i18n.dir(i18n.language) === "rtl";
    const number = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 });
    const signed = new Intl.NumberFormat(i18n.language, { signDisplay: "exceptZero" });
    const currencyNames = new Intl.DisplayNames(i18n.language, { type: "currency" });
    const moneyFormats = new Map<string, Intl.NumberFormat>();
    const moneyFormat = (currency: string) => {
      let format = moneyFormats.get(currency);
      if (!format) {
        const digits = minorDigits(currency);
        format = new Intl.NumberFormat(i18n.language, {
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
      timeZone,
      number: (value: number) => number.format(value),
      /** With its sign: "+5", "−1", "0". */
      signed: (value: number) => signed.format(value),
      /** An amount in the currency's minor units (cents), shown in major units with the currency. */
      money: (amountMinor: number, currency: string) => {
        const parts = moneyFormat(currency).formatToParts(amountMinor / 10 ** minorDigits(currency));
        // In right-to-left text a symbol such as "US$" would come apart ("$US"): isolate it left to right.
        return parts.map(({ type, value }) => (rtl && type === "currency" ? `\u2066${value}\u2069` : value)).join("");
      },
      /** "USD" → "US Dollar", in the viewer's language. */
      currencyName: (currency: string) => currencyNames.of(currency) ?? currency,
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
