import { Anchor, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { usePageTitle } from "../lib/title.ts";

export function NotFoundPage() {
  const { t } = useTranslation();
  usePageTitle(t("notFound.title"));
  return (
    <Stack align="flex-start">
      <Title order={1} size="h2">
        {t("notFound.title")}
      </Title>
      <Text>{t("notFound.body")}</Text>
      <Anchor component={Link} to="/users">
        {t("notFound.back")}
      </Anchor>
    </Stack>
  );
}
