import { ForgotPasswordInput } from "@lectern/api-contract";
import { Alert, Anchor, Button, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { FailureAlert } from "../components/Status";
import { authClient } from "../lib/auth-client";
import { authCall } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";

/** Asks for a reset link; the answer never says whether the account exists. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const form = useSchemaForm(ForgotPasswordInput, { email: "" });
  const { onSubmit, failure } = useSubmit(form, async ({ email }) => {
    await authCall(authClient.requestPasswordReset({ email }));
    setSentTo(email);
  });

  return (
    <AuthLayout title={t("forgotPassword.title")}>
      {sentTo ? (
        <Alert color="teal" role="status">
          {t("forgotPassword.sent", { email: sentTo })}
        </Alert>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Text c="dimmed">{t("forgotPassword.intro")}</Text>
            <FailureAlert message={failure?.message} />
            <TextInput label={t("fields.email")} type="email" autoComplete="email" {...form.getInputProps("email")} />
            <Button type="submit" loading={form.submitting}>
              {t("forgotPassword.submit")}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor component={Link} to="/sign-in" size="sm">
        {t("common.backToSignIn")}
      </Anchor>
    </AuthLayout>
  );
}
