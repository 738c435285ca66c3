import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { formResolver, useLazyFormResolver } from "../lib/errors.ts";
import { i18n } from "../lib/i18n.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

// The schema (and zod with it) loads after the form shows: see useLazyFormResolver.
const loadSchema = async () => (await import("../lib/sign-in-schema.ts")).SignInInput;

/** better-auth answers with its own codes; the admin plugin's BANNED_USER is our disabled account. */
function signInErrorMessage(error: { code?: string; status: number }) {
  if (error.status === 429) return i18n.t("errors.RATE_LIMITED");
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return i18n.t("signIn.invalidCredentials");
    case "EMAIL_NOT_VERIFIED":
      return i18n.t("signIn.emailNotVerified");
    case "BANNED_USER":
      return i18n.t("signIn.disabled");
    default:
      return i18n.t(error.status >= 500 ? "errors.INTERNAL" : "errors.BAD_REQUEST");
  }
}

export function SignInPage() {
  const { t } = useTranslation();
  usePageTitle(t("signIn.title"));
  const utils = trpc.useUtils();
  const [failure, setFailure] = useState<string | null>(null);
  const validate = useLazyFormResolver(loadSchema);
  const form = useForm({ initialValues: { email: "", password: "" }, validate });

  const submit = form.onSubmit(
    async (values) => {
      setFailure(null);
      try {
        // The auth client loads on first use: the form does not need it to show.
        const [{ authClient }, SignInInput] = await Promise.all([import("../lib/auth-client.ts"), loadSchema()]);
        // Sent before the schema had arrived: check now what the form could not.
        const invalid = formResolver(SignInInput)(values);
        if (Object.keys(invalid).length > 0) return form.setErrors(invalid);
        const { error } = await authClient.signIn.email(SignInInput.parse(values));
        if (error) return setFailure(signInErrorMessage(error));
      } catch {
        return setFailure(t("errors.NETWORK"));
      }
      await utils.invalidate();
    },
    () => setFailure(null),
  );

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={700}>{t("app.name")}</Text>
              <LanguageSelect />
            </Group>
            <Title order={1} size="h3">
              {t("signIn.title")}
            </Title>
            <Text c="dimmed" size="sm">
              {t("signIn.subtitle")}
            </Text>
            {failure && <Alert color="red">{failure}</Alert>}
            <TextInput
              label={t("signIn.email")}
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps("email")}
            />
            <PasswordInput
              label={t("signIn.password")}
              autoComplete="current-password"
              required
              visibilityToggleButtonProps={{ "aria-label": t("signIn.toggleVisibility") }}
              {...form.getInputProps("password")}
            />
            <Button type="submit" loading={form.submitting}>
              {t("signIn.submit")}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
