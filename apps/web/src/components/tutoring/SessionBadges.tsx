import type { CREDIT_OUTCOMES, SessionStatus } from "@lectern/api-contract";
import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

const STATUS_COLORS: Record<SessionStatus, string> = { booked: "indigo", completed: "teal", cancelled: "gray" };

export function StatusBadge({ status }: { status: SessionStatus }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status]}>
      {t(`tutoring.status.${status}`)}
    </Badge>
  );
}

type CreditOutcome = (typeof CREDIT_OUTCOMES)[number];

const OUTCOME_COLORS: Record<CreditOutcome, string> = {
  reserved: "blue",
  consumed: "gray",
  refunded: "teal",
  forfeited: "orange",
  none: "gray",
};

/** What happened to the learner's credit for this session. */
export function CreditBadge({ outcome }: { outcome: CreditOutcome }) {
  const { t } = useTranslation();
  return (
    <Badge variant="outline" color={OUTCOME_COLORS[outcome]}>
      {t(`tutoring.credit.${outcome}`)}
    </Badge>
  );
}
