import { SignUpInput } from "@lectern/api-contract";
import { Anchor, Button, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { FailureAlert } from "../components/Status";
import { authClient } from "../lib/auth-client";
import { authCall } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { browserTimeZone, currentLocale } from "../lib/i18n";

export function SignUpPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const form = useSchemaForm(SignUpInput, { name: "", email: "", password: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    await authCall(authClient.signUp.email({ ...values, timezone: browserTimeZone(), locale: currentLocale() }));
    navigate(`/check-email?${new URLSearchParams({ email: values.email })}`);
  });

  return (
    <AuthLayout title={t("signUp.title")}>
      <Text c="dimmed">{t("signUp.subtitle")}</Text>
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <FailureAlert message={failure?.message} />
          <TextInput label={t("fields.name")} autoComplete="name" {...form.getInputProps("name")} />
          <TextInput label={t("fields.email")} type="email" autoComplete="email" {...form.getInputProps("email")} />
          <PasswordInput label={t("fields.password")} autoComplete="new-password" {...form.getInputProps("password")} />
          <Button type="submit" loading={form.submitting}>
            {t("signUp.submit")}
          </Button>
        </Stack>
      </form>
      <Text size="sm">
        {t("signUp.haveAccount")}{" "}
        <Anchor component={Link} to="/sign-in">
          {t("signUp.signIn")}
        </Anchor>
      </Text>
    </AuthLayout>
  );
}
