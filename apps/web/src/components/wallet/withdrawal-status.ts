import type { WithdrawalStatus } from "@lectern/api-contract";

/** The badge colour of each withdrawal status, on the list and the detail page. */
export const STATUS_COLORS: Record<WithdrawalStatus, string> = {
  awaiting_code: "yellow",
  in_review: "orange",
  approved: "blue",
  processing: "blue",
  paid: "teal",
  failed: "red",
  rejected: "red",
  cancelled: "gray",
};
