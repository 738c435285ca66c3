import { Alert, Anchor, Button, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useSearchParams } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { ResendVerification } from "../components/ResendVerification";
import { PageLoader } from "../components/Status";
import { authClient } from "../lib/auth-client";
import { authCall, toFailure } from "../lib/errors";
import { useMe, useRefreshMe } from "../lib/session";

/** The emailed link lands here: verifying signs the user in and opens the dashboard. */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const token = search.get("token") ?? "";
  const refreshMe = useRefreshMe();
  const me = useMe();
  // A query, not an effect, so the token is spent once however often the page renders.
  const verify = useQuery({
    queryKey: ["verify-email", token],
    queryFn: async () => {
      await authCall(authClient.verifyEmail({ query: { token } }));
      await refreshMe();
      return true;
    },
    enabled: token !== "",
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });

  if (verify.isSuccess && me.data) return <Navigate to="/" replace />;

  return (
    <AuthLayout title={t("verifyEmail.title")}>
      {token === "" ? (
        <Invalid message={t("verifyEmail.missingToken")} />
      ) : verify.isPending || (verify.isSuccess && me.isFetching) ? (
        <PageLoader />
      ) : verify.isError ? (
        <Invalid message={toFailure(verify.error, t).message} />
      ) : (
        // Verified, but the link had been used before: no new session, so sign in.
        <>
          <Alert color="teal" role="status">
            {t("verifyEmail.verified")}
          </Alert>
          <Button component={Link} to="/sign-in">
            {t("signIn.submit")}
          </Button>
        </>
      )}
    </AuthLayout>
  );
}

function Invalid({ message }: { message: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Alert color="red" role="alert">
        {message}
      </Alert>
      <Text size="sm">{t("verifyEmail.requestNew")}</Text>
      <ResendVerification />
      <Anchor component={Link} to="/sign-in" size="sm">
        {t("common.backToSignIn")}
      </Anchor>
    </>
  );
}
