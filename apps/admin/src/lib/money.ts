import { CURRENCY_MINOR_DIGITS, type Currency, toMajorUnits } from "@lectern/api-contract";

/** What a money input holds: a number once typed, "" when empty. */
export type MoneyInputValue = number | string;

/**
 * Integer minor units from an amount typed in major units ("12.5" USD → 1250), computed on the
 * decimal digits so no floating-point rounding creeps in. Empty is undefined; anything that is not a
 * non-negative amount with at most the currency's decimals is NaN, which the contract's schema rejects.
 */
export function toMinorUnits(major: MoneyInputValue, currency: Currency): number | undefined {
  const text = String(major).trim();
  if (text === "") return undefined;
  const digits = CURRENCY_MINOR_DIGITS[currency];
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  const whole = match?.[1];
  const fraction = match?.[2] ?? "";
  if (whole === undefined || fraction.length > digits) return Number.NaN;
  return Number(whole + fraction.padEnd(digits, "0"));
}

/** The form value for an amount in minor units: its exact major-unit decimal ("12.50"). */
export const toMoneyInput = (amountMinor: number | null | undefined, currency: Currency): MoneyInputValue =>
  amountMinor === null || amountMinor === undefined ? "" : toMajorUnits(amountMinor, currency);
