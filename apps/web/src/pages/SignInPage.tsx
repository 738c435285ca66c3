import { Alert, Anchor, Button, Divider, Group, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { AuthLayout } from "../components/AuthLayout";
import { FailureAlert } from "../components/Status";
import { authCall, authCodeMessage, toFailure } from "../lib/errors";
import { useLazySchemaForm, useSubmit } from "../lib/forms";
import { nextPath, useAppConfig, useRefreshMe } from "../lib/session";

// The first screen's form: its schema (and zod) and the resend form load after it shows.
const loadSchema = async () => (await import("../lib/sign-in-schema")).SignInInput;
const ResendVerification = lazy(async () => ({
  default: (await import("../components/ResendVerification")).ResendVerification,
}));

/** Signing in refreshes `me`; the guest-only route then forwards to `?next=` (or the dashboard). */
export function SignInPage() {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const refreshMe = useRefreshMe();
  const form = useLazySchemaForm(loadSchema, { email: "", password: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    // The auth client loads on first use: it is not needed to show the form.
    const { authClient } = await import("../lib/auth-client");
    await authCall(authClient.signIn.email(values));
    await refreshMe();
  });
  const unverified = failure?.code === "EMAIL_NOT_VERIFIED";
  const googleError = search.get("error");

  return (
    <AuthLayout title={t("signIn.title")}>
      {googleError && (
        <Alert color="red" role="alert">
          {authCodeMessage(googleError, t) ?? t("signIn.googleFailed")}
        </Alert>
      )}
      <GoogleSignIn next={nextPath(search)} />
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          {unverified ? (
            <Alert color="yellow" role="alert">
              {t("signIn.unverified", { email: form.values.email })}
            </Alert>
          ) : (
            <FailureAlert message={failure?.message} />
          )}
          <TextInput label={t("fields.email")} type="email" autoComplete="email" {...form.getInputProps("email")} />
          <PasswordInput
            label={t("fields.password")}
            autoComplete="current-password"
            {...form.getInputProps("password")}
          />
          <Button type="submit" loading={form.submitting}>
            {t("signIn.submit")}
          </Button>
        </Stack>
      </form>
      {unverified && (
        <Suspense>
          <ResendVerification email={form.values.email} />
        </Suspense>
      )}
      <Group justify="space-between" gap="xs">
        <Anchor component={Link} to="/forgot-password" size="sm">
          {t("signIn.forgotPassword")}
        </Anchor>
        <Text size="sm">
          {t("signIn.noAccount")}{" "}
          <Anchor component={Link} to="/sign-up">
            {t("signIn.signUp")}
          </Anchor>
        </Text>
      </Group>
    </AuthLayout>
  );
}

/** "Continue with Google", offered only when the API has Google configured. */
function GoogleSignIn({ next }: { next: string }) {
  const { t } = useTranslation();
  const config = useAppConfig();
  const google = useMutation({
    mutationFn: async () =>
      authCall(
        (await import("../lib/auth-client")).authClient.signIn.social({
          provider: "google",
          callbackURL: new URL(next, window.location.origin).href,
          errorCallbackURL: new URL("/sign-in", window.location.origin).href,
        }),
      ),
  });
  if (!config.data?.googleSignIn) return null;

  return (
    <Stack gap="sm">
      <Button variant="default" loading={google.isPending} onClick={() => google.mutate()}>
        {t("signIn.google")}
      </Button>
      {google.isError && <FailureAlert message={toFailure(google.error, t).message} />}
      <Divider label={t("signIn.or")} labelPosition="center" />
    </Stack>
  );
}
