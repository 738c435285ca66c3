import { Anchor } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** On a learner's or teacher's page: their tutoring sessions, as a filtered sessions list. */
export function UserSessionsLink({ user }: { user: { id: string; role: string } }) {
  const { t } = useTranslation();
  if (user.role !== "learner" && user.role !== "teacher") return null;
  return (
    <Anchor component={Link} to={`/sessions?${user.role}=${encodeURIComponent(user.id)}`} size="sm">
      {t("sessions.userLink")}
    </Anchor>
  );
}
