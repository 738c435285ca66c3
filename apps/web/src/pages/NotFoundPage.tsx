import { Anchor, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { PageHeading } from "../components/PageHeading";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <AuthLayout title={t("notFound.title")}>
      <NotFoundBody />
    </AuthLayout>
  );
}

/** The same page inside the signed-in layout: for an address whose record does not exist. */
export function NotFoundInApp() {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <PageHeading>{t("notFound.title")}</PageHeading>
      <NotFoundBody />
    </Stack>
  );
}

function NotFoundBody() {
  const { t } = useTranslation();
  return (
    <>
      <Text c="dimmed">{t("notFound.body")}</Text>
      <Anchor component={Link} to="/">
        {t("notFound.home")}
      </Anchor>
    </>
  );
}
