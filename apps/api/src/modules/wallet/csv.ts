import { toMajorUnits, WALLET_POLICY, type WalletCsvInput } from "@lectern/api-contract";
import type { DbOrTx } from "@lectern/db";
import { stringify } from "csv-stringify/sync";
import { walletEntries } from "./service.ts";

const COLUMNS = [
  "Date",
  "Kind",
  "Description",
  "Wallet",
  "Amount",
  "Currency",
  "Balance after",
  "Reference type",
  "Reference",
  "Transaction",
];

/** A plain decimal number ("-12.50") is data, never a formula, so it may start with a minus. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab or carriage return, as
 * in `=HYPERLINK(...)` typed into a session note or an adjustment reason) gets a leading apostrophe,
 * which keeps it text.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !DECIMAL.test(value) ? `'${value}` : value;
}

/**
 * A user's wallet history as CSV (RFC 4180, CRLF lines, a header row), newest first, at most
 * WALLET_POLICY.csvMaxRows rows (`truncated` says more matched): amounts in decimal major units with
 * their currency code, dates in ISO 8601 (UTC).
 */
export async function walletCsv(db: DbOrTx, ownerId: string, filters: WalletCsvInput, now = new Date()) {
  const entries = await walletEntries(db, ownerId, filters, WALLET_POLICY.csvMaxRows + 1);
  const truncated = entries.length > WALLET_POLICY.csvMaxRows;
  const rows = entries
    .slice(0, WALLET_POLICY.csvMaxRows)
    .map((e) => [
      e.createdAt.toISOString(),
      e.kind,
      e.description,
      e.side,
      toMajorUnits(e.amountMinor, e.currency),
      e.currency,
      toMajorUnits(e.balanceAfterMinor, e.currency),
      e.reference?.type ?? "",
      e.reference?.id ?? "",
      e.transactionId,
    ]);
  const csv = stringify([COLUMNS, ...rows], {
    record_delimiter: "windows",
    cast: { string: neutraliseFormula },
  });
  const day = now.toISOString().slice(0, 10);
  return { filename: `lectern-wallet${filters.currency ? `-${filters.currency}` : ""}-${day}.csv`, csv, truncated };
}
