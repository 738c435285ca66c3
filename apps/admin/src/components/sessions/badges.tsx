import type { CREDIT_OUTCOMES, SessionStatus } from "@lectern/api-contract";
import { Badge, type MantineColor } from "@mantine/core";
import { useTranslation } from "react-i18next";

export type CreditOutcome = (typeof CREDIT_OUTCOMES)[number];

const STATUS_COLORS: Record<SessionStatus, MantineColor> = {
  booked: "blue",
  completed: "green",
  cancelled: "gray",
};

const CREDIT_COLORS: Record<CreditOutcome, MantineColor> = {
  reserved: "blue",
  consumed: "green",
  refunded: "teal",
  forfeited: "orange",
  none: "gray",
};

export function StatusBadge({ status }: { status: SessionStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {t(`sessions.statuses.${status}`)}
    </Badge>
  );
}

/** What happened to the learner's credit: reserved, used, returned, forfeited, or none taken. */
export function CreditBadge({ outcome }: { outcome: CreditOutcome }) {
  const { t } = useTranslation();
  return (
    <Badge color={CREDIT_COLORS[outcome]} variant="outline">
      {t(`sessions.creditOutcomes.${outcome}`)}
    </Badge>
  );
}
