import { ResetPasswordInput } from "@lectern/api-contract";
import { Alert, Anchor, Button, PasswordInput, Stack } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { FailureAlert } from "../components/Status";
import { authClient } from "../lib/auth-client";
import { authCall } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { useRefreshMe } from "../lib/session";

const LINK_ERRORS = new Set(["INVALID_TOKEN", "TOKEN_EXPIRED"]);

/** The emailed reset link lands here; a new password signs the user out everywhere. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const token = search.get("token");
  const refreshMe = useRefreshMe();
  const [done, setDone] = useState(false);
  const form = useSchemaForm(ResetPasswordInput, { password: "", confirm: "" });
  const { onSubmit, failure } = useSubmit(form, async ({ password }) => {
    await authCall(authClient.resetPassword({ newPassword: password, token: token ?? "" }));
    setDone(true);
    await refreshMe();
  });

  if (!token) {
    return (
      <AuthLayout title={t("resetPassword.title")}>
        <Alert color="red" role="alert">
          {t("resetPassword.missingToken")}
        </Alert>
        <RequestNewLink />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("resetPassword.title")}>
      {done ? (
        <>
          <Alert color="teal" role="status">
            {t("resetPassword.done")}
          </Alert>
          <Button component={Link} to="/sign-in">
            {t("signIn.submit")}
          </Button>
        </>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <FailureAlert message={failure?.message} />
            {failure && LINK_ERRORS.has(failure.code) && <RequestNewLink />}
            <PasswordInput
              label={t("fields.password")}
              autoComplete="new-password"
              {...form.getInputProps("password")}
            />
            <PasswordInput
              label={t("fields.confirmPassword")}
              autoComplete="new-password"
              {...form.getInputProps("confirm")}
            />
            <Button type="submit" loading={form.submitting}>
              {t("resetPassword.submit")}
            </Button>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}

function RequestNewLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/forgot-password" size="sm">
      {t("resetPassword.requestNew")}
    </Anchor>
  );
}
