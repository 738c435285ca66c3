import { ChangePasswordInput, LOCALES, UpdateProfileInput } from "@lectern/api-contract";
import { Alert, Button, Card, NativeSelect, PasswordInput, Select, Stack, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { DevicesCard } from "../components/DevicesCard";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert } from "../components/Status";
import { CalendarFeedCard } from "../components/tutoring/CalendarFeedCard";
import { authClient } from "../lib/auth-client";
import { authCall } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { currentLocale, isLocale, LANGUAGE_NAMES, setLanguage } from "../lib/i18n";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

const TIME_ZONES = Intl.supportedValuesOf("timeZone");

export function ProfilePage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={560}>
      <PageHeading>{t("profile.title")}</PageHeading>
      <ProfileForm />
      <ChangePasswordForm />
      <CalendarFeedCard />
      <DevicesCard />
    </Stack>
  );
}

function ProfileForm() {
  const { t, i18n } = useTranslation();
  const me = useCurrentUser();
  const utils = trpc.useUtils();
  const update = trpc.account.updateProfile.useMutation();
  const form = useSchemaForm(UpdateProfileInput, {
    name: me.name,
    timezone: me.timezone,
    locale: isLocale(me.locale) ? me.locale : currentLocale(),
  });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const profile = await update.mutateAsync(values);
    utils.account.me.setData(undefined, (old) => old && { ...old, ...profile });
    await setLanguage(values.locale);
    notifications.show({ color: "teal", message: t("profile.saved") });
  });

  // The header's language switch saves the profile's language too; keep this form in step.
  const { setFieldValue } = form;
  useEffect(() => {
    if (isLocale(i18n.language)) setFieldValue("locale", i18n.language);
  }, [i18n.language, setFieldValue]);

  const timeZones = TIME_ZONES.includes(me.timezone) ? TIME_ZONES : [me.timezone, ...TIME_ZONES];

  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} fz="h4">
            {t("profile.details")}
          </Title>
          <FailureAlert message={failure?.message} />
          <TextInput label={t("fields.name")} autoComplete="name" {...form.getInputProps("name")} />
          <TextInput label={t("fields.email")} value={me.email} readOnly variant="filled" />
          <Select
            label={t("fields.timezone")}
            data={timeZones}
            searchable
            allowDeselect={false}
            nothingFoundMessage={t("fields.timezoneNothingFound")}
            {...form.getInputProps("timezone")}
          />
          <NativeSelect label={t("fields.locale")} {...form.getInputProps("locale")}>
            {LOCALES.map((locale) => (
              <option key={locale} value={locale} lang={locale}>
                {LANGUAGE_NAMES[locale]}
              </option>
            ))}
          </NativeSelect>
          <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("profile.save")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function ChangePasswordForm() {
  const { t } = useTranslation();
  const [changed, setChanged] = useState(false);
  const form = useSchemaForm(ChangePasswordInput, { currentPassword: "", newPassword: "", confirm: "" });
  const { onSubmit, failure } = useSubmit(form, async ({ currentPassword, newPassword }) => {
    setChanged(false);
    await authCall(authClient.changePassword({ currentPassword, newPassword, revokeOtherSessions: true }));
    form.reset();
    setChanged(true);
  });

  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <Title order={2} fz="h4">
            {t("profile.password")}
          </Title>
          {changed && (
            <Alert color="teal" role="status">
              {t("profile.passwordChanged")}
            </Alert>
          )}
          <FailureAlert message={failure?.message} />
          <PasswordInput
            label={t("fields.currentPassword")}
            autoComplete="current-password"
            {...form.getInputProps("currentPassword")}
          />
          <PasswordInput
            label={t("fields.newPassword")}
            autoComplete="new-password"
            {...form.getInputProps("newPassword")}
          />
          <PasswordInput
            label={t("fields.confirmPassword")}
            autoComplete="new-password"
            {...form.getInputProps("confirm")}
          />
          <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("profile.changePassword")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
