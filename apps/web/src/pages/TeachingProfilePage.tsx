import type { RouterOutputs } from "@lectern/api/router";
import { UpdateTeacherProfileInput } from "@lectern/api-contract";
import { Anchor, Button, Card, Stack, TagsInput, Text, Textarea, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, PageLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { useFormat } from "../lib/format";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { OptionalMeetingUrl } from "../lib/tutoring-forms";

type TeacherProfile = RouterOutputs["tutoring"]["profile"]["get"];

const ProfileForm = UpdateTeacherProfileInput.extend({ defaultMeetingUrl: OptionalMeetingUrl });

/** What learners see in the directory, the default meeting link, and the rate (set by an admin). */
export function TeachingProfilePage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={640}>
      <PageHeading>{t("teachingProfile.title")}</PageHeading>
      <TeachersOnly>
        <ProfileLoader />
      </TeachersOnly>
    </Stack>
  );
}

function ProfileLoader() {
  const profile = trpc.tutoring.profile.get.useQuery();
  if (profile.isPending) return <PageLoader />;
  if (profile.isError) return <LoadError error={profile.error} onRetry={() => void profile.refetch()} />;
  return <TeachingProfileForm profile={profile.data} />;
}

function TeachingProfileForm({ profile }: { profile: TeacherProfile }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const utils = trpc.useUtils();
  const update = trpc.tutoring.profile.update.useMutation();
  const form = useSchemaForm(ProfileForm, {
    bio: profile.bio,
    subjects: profile.subjects,
    languages: profile.languages,
    defaultMeetingUrl: profile.defaultMeetingUrl ?? "",
  });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const saved = await update.mutateAsync(values);
    utils.tutoring.profile.get.setData(undefined, saved);
    await utils.tutoring.teachers.invalidate();
    form.resetDirty();
    notifications.show({ color: "teal", message: t("teachingProfile.saved") });
  });

  return (
    <Stack gap="lg">
      <Card withBorder radius="md" padding="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <Text size="sm" c="dimmed">
              {t("teachingProfile.intro")}
            </Text>
            <FailureAlert message={failure?.message} />
            <Textarea
              label={t("teachingProfile.bio")}
              description={t("teachingProfile.bioHint")}
              autosize
              minRows={4}
              {...form.getInputProps("bio")}
            />
            <TagsInput
              label={t("teachingProfile.subjects")}
              description={t("teachingProfile.tagsHint")}
              placeholder={t("teachingProfile.subjectsPlaceholder")}
              clearable
              {...form.getInputProps("subjects")}
            />
            <TagsInput
              label={t("teachingProfile.languages")}
              description={t("teachingProfile.tagsHint")}
              placeholder={t("teachingProfile.languagesPlaceholder")}
              clearable
              {...form.getInputProps("languages")}
            />
            <TextInput
              type="url"
              dir="ltr"
              label={t("teachingProfile.meetingLink")}
              description={t("teachingProfile.meetingLinkHint")}
              placeholder="https://"
              {...form.getInputProps("defaultMeetingUrl")}
            />
            <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
              {t("teachingProfile.save")}
            </Button>
          </Stack>
        </form>
      </Card>
      <Card withBorder radius="md" padding="lg">
        <Stack gap="xs">
          <Title order={2} fz="h4">
            {t("teachingProfile.rate")}
          </Title>
          <Text fz="xl" fw={700}>
            {t("teachingProfile.perHour", { amount: format.money(profile.hourlyRateMinor, profile.rateCurrency) })}
          </Text>
          <Text size="sm" c="dimmed">
            {t("teachingProfile.rateHint")}
          </Text>
          <Text size="sm" c="dimmed">
            {t("teachingProfile.timezone", { timezone: me.timezone })}{" "}
            <Anchor component={Link} to="/profile" inherit>
              {t("availability.changeTimezone")}
            </Anchor>
          </Text>
        </Stack>
      </Card>
    </Stack>
  );
}
