import {
  CEFR_LEVELS,
  LESSON_FORMATS,
  type LessonFormat,
  SaveOnboardingInput,
  SKILL_PRIORITY,
  SKILLS,
  type Skill,
} from "@lectern/api-contract";
import {
  Alert,
  Button,
  Card,
  Fieldset,
  Group,
  NativeSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { z } from "zod";
import type { Answers } from "../components/OnboardingAnswers";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, PageLoader } from "../components/Status";
import { useFormat } from "../lib/format";
import { FREE_TEXT_STYLES, useSchemaForm, useSubmit } from "../lib/forms";
import { browserTimeZone } from "../lib/i18n";
import { isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

const TIME_ZONES = Intl.supportedValuesOf("timeZone");
const PRIORITIES = Array.from(
  { length: SKILL_PRIORITY.max - SKILL_PRIORITY.min + 1 },
  (_, i) => SKILL_PRIORITY.min + i,
);
const MIDDLE_PRIORITY = Math.ceil((SKILL_PRIORITY.min + SKILL_PRIORITY.max) / 2);

/** The learner's onboarding questionnaire: answered once, editable later. */
export function OnboardingPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Stack gap="lg" maw={720}>
      <PageHeading>{t("onboarding.title")}</PageHeading>
      {isLearner(me) ? (
        <OnboardingLoader />
      ) : (
        <Alert color="yellow" role="alert">
          {t("onboarding.learnersOnly")}
        </Alert>
      )}
    </Stack>
  );
}

function OnboardingLoader() {
  const answers = trpc.tutoring.onboarding.get.useQuery();
  if (answers.isPending) return <PageLoader />;
  if (answers.isError) return <LoadError error={answers.error} onRetry={() => void answers.refetch()} />;
  return <OnboardingForm saved={answers.data} />;
}

type FormValues = z.input<typeof SaveOnboardingInput>;

/** The saved answers, or a blank questionnaire whose choices wait for the learner to pick them. */
function initialValues(saved: Answers | null, profileTimeZone: string): FormValues {
  if (saved) {
    const { timezone, goals, level, skillPriorities, availability, preferredFormat, notes } = saved;
    return { timezone, goals, level, skillPriorities, availability, preferredFormat, notes };
  }
  const blank = {
    timezone: profileTimeZone || browserTimeZone(),
    goals: "",
    // Unanswered: the schema rejects these until the learner chooses.
    level: "" as (typeof CEFR_LEVELS)[number],
    skillPriorities: Object.fromEntries(SKILLS.map((skill) => [skill, MIDDLE_PRIORITY])) as Record<Skill, number>,
    availability: "",
    preferredFormat: "" as LessonFormat,
    notes: "",
  };
  return blank;
}

function OnboardingForm({ saved }: { saved: Answers | null }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const utils = trpc.useUtils();
  const save = trpc.tutoring.onboarding.save.useMutation();
  const [justSaved, setJustSaved] = useState(false);
  const form = useSchemaForm(SaveOnboardingInput, initialValues(saved, me.timezone));
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    setJustSaved(false);
    const answers = await save.mutateAsync(values);
    utils.tutoring.onboarding.get.setData(undefined, answers);
    // The answers' time zone is now the profile's too.
    utils.account.me.setData(undefined, (old) => old && { ...old, timezone: values.timezone });
    form.resetDirty();
    setJustSaved(true);
  });
  const skillsHintId = useId();

  const current = form.getValues().timezone;
  const timeZones = TIME_ZONES.includes(current) ? TIME_ZONES : [current, ...TIME_ZONES];
  const skillErrors = Object.entries(form.errors).filter(([path]) => path.startsWith("skillPriorities"));

  return (
    <Stack gap="lg">
      <Text>{t("onboarding.intro")}</Text>
      <SavedStatus answers={saved} />
      <Card withBorder radius="md" padding="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack>
            <FailureAlert message={failure?.message} />
            <Select
              label={t("fields.timezone")}
              description={t("onboarding.timezoneHint")}
              data={timeZones}
              searchable
              allowDeselect={false}
              nothingFoundMessage={t("fields.timezoneNothingFound")}
              {...form.getInputProps("timezone")}
            />
            <Textarea
              label={t("onboarding.goals")}
              description={t("onboarding.goalsHint")}
              styles={FREE_TEXT_STYLES}
              autosize
              minRows={3}
              {...form.getInputProps("goals")}
            />
            <NativeSelect
              label={t("onboarding.level")}
              description={t("onboarding.levelHint")}
              data={[
                { value: "", label: t("onboarding.chooseLevel"), disabled: true },
                ...CEFR_LEVELS.map((level) => ({ value: level, label: t(`cefr.${level}`) })),
              ]}
              {...form.getInputProps("level")}
            />
            <Fieldset
              legend={t("onboarding.skills")}
              variant="unstyled"
              styles={{ legend: { fontSize: "var(--mantine-font-size-sm)", fontWeight: 600 } }}
            >
              <Text size="xs" c="dimmed" mb="sm" id={skillsHintId}>
                {t("onboarding.skillsHint", { min: SKILL_PRIORITY.min, max: SKILL_PRIORITY.max })}
              </Text>
              <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md" verticalSpacing="sm">
                {SKILLS.map((skill) => (
                  <SkillPriority
                    key={skill}
                    skill={skill}
                    describedBy={skillsHintId}
                    value={form.getValues().skillPriorities[skill] ?? MIDDLE_PRIORITY}
                    onChange={(value) => form.setFieldValue(`skillPriorities.${skill}`, value)}
                  />
                ))}
              </SimpleGrid>
              {skillErrors.map(([path, message]) => (
                <Text key={path} c="red" size="sm" mt="xs">
                  {message}
                </Text>
              ))}
            </Fieldset>
            <Textarea
              label={t("onboarding.availability")}
              description={t("onboarding.availabilityHint")}
              styles={FREE_TEXT_STYLES}
              autosize
              minRows={2}
              {...form.getInputProps("availability")}
            />
            <NativeSelect
              label={t("onboarding.preferredFormat")}
              data={[
                { value: "", label: t("onboarding.chooseFormat"), disabled: true },
                ...LESSON_FORMATS.map((format) => ({ value: format, label: t(`formats.${format}`) })),
              ]}
              {...form.getInputProps("preferredFormat")}
            />
            <Textarea
              label={t("onboarding.notes")}
              description={t("onboarding.notesHint")}
              styles={FREE_TEXT_STYLES}
              autosize
              minRows={2}
              {...form.getInputProps("notes")}
            />
            {justSaved && !form.isDirty() && (
              <Alert color="teal" role="status">
                {t("onboarding.saved")}
              </Alert>
            )}
            <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
              {t("onboarding.save")}
            </Button>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}

/** One skill's priority: a labelled row of radio buttons from low to high. */
function SkillPriority({
  skill,
  value,
  describedBy,
  onChange,
}: {
  skill: Skill;
  value: number;
  describedBy: string;
  onChange: (value: number) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const labelId = useId();
  return (
    <Group justify="space-between" wrap="nowrap" gap="sm">
      <Text id={labelId} size="sm" fw={500}>
        {t(`skills.${skill}`)}
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        aria-describedby={describedBy}
        value={String(value)}
        onChange={(next) => onChange(Number(next))}
        data={PRIORITIES.map((priority) => ({ value: String(priority), label: format.number(priority) }))}
      />
    </Group>
  );
}

/** Where the answers stand: not given yet, saved and waiting for a teacher, or read by one. */
function SavedStatus({ answers }: { answers: Answers | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!answers) return null;
  return (
    <Card withBorder radius="md" padding="md" bg="var(--mantine-color-default-hover)">
      <Stack gap={4}>
        <Title order={2} fz="h5">
          {t("onboarding.lastSaved", { date: format.dateTime(answers.updatedAt) })}
        </Title>
        <Text size="sm" c="dimmed">
          {answers.reviewedAt && answers.reviewedBy
            ? t("onboarding.reviewedBy", { name: answers.reviewedBy.name, date: format.dateTime(answers.reviewedAt) })
            : t("onboarding.awaitingReview")}
        </Text>
      </Stack>
    </Card>
  );
}
