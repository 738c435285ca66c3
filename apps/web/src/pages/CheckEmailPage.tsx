import { Anchor, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useSearchParams } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { ResendVerification } from "../components/ResendVerification";

/** After sign-up: where the verification link went, and a way to send another. */
export function CheckEmailPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const email = search.get("email");
  if (!email) return <Navigate to="/sign-up" replace />;

  return (
    <AuthLayout title={t("checkEmail.title")}>
      <Text>{t("checkEmail.body", { email })}</Text>
      <Text size="sm" c="dimmed">
        {t("checkEmail.notReceived")}
      </Text>
      <ResendVerification email={email} />
      <Anchor component={Link} to="/sign-in" size="sm">
        {t("common.backToSignIn")}
      </Anchor>
    </AuthLayout>
  );
}
