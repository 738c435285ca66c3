import { Anchor, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { AuthLayout } from "../components/AuthLayout";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <AuthLayout title={t("notFound.title")}>
      <Text c="dimmed">{t("notFound.body")}</Text>
      <Anchor component={Link} to="/">
        {t("notFound.home")}
      </Anchor>
    </AuthLayout>
  );
}
