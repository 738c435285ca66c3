import { Alert, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { PageHeading } from "../components/PageHeading";
import { canTeach, useCurrentUser } from "../lib/session";

/** The teachers' room, waiting for the tutoring tools. */
export function TeachingPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Stack gap="md" maw={720}>
      <PageHeading>{t("teaching.title")}</PageHeading>
      {canTeach(me) ? (
        <Text c="dimmed">{t("teaching.soon")}</Text>
      ) : (
        <Alert color="yellow" role="alert">
          {t("teaching.forbidden")}
        </Alert>
      )}
    </Stack>
  );
}
