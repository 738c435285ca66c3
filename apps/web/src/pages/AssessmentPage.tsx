import type { RouterOutputs } from "@lectern/api/router";
import { ASSESSMENT_MAX_WORDS, countWords, SubmitAssessmentInput } from "@lectern/api-contract";
import { Alert, Badge, Button, Card, Group, Spoiler, Stack, Text, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { useFormat } from "../lib/format";
import { FREE_TEXT_STYLES, useSchemaForm, useSubmit } from "../lib/forms";
import { isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

type Assessment = RouterOutputs["tutoring"]["assessment"]["mine"][number];

/** The learner writes a text for a teacher to place on the CEFR scale, and reads the results. */
export function AssessmentPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Stack gap="lg" maw={760}>
      <PageHeading>{t("assessment.title")}</PageHeading>
      {isLearner(me) ? (
        <>
          <Text>{t("assessment.intro", { max: ASSESSMENT_MAX_WORDS })}</Text>
          <SubmitForm />
          <MyAssessments />
        </>
      ) : (
        <Alert color="yellow" role="alert">
          {t("assessment.learnersOnly")}
        </Alert>
      )}
    </Stack>
  );
}

function SubmitForm() {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const submit = trpc.tutoring.assessment.submit.useMutation();
  const [submitted, setSubmitted] = useState(false);
  const form = useSchemaForm(SubmitAssessmentInput, { text: "" });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    setSubmitted(false);
    await submit.mutateAsync(values);
    await utils.tutoring.assessment.mine.invalidate();
    form.reset();
    setSubmitted(true);
  });

  const words = countWords(form.values.text);
  const over = words - ASSESSMENT_MAX_WORDS;

  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack>
          <FailureAlert message={failure?.message} />
          <Textarea
            label={t("assessment.text")}
            autosize
            minRows={10}
            maxRows={30}
            styles={FREE_TEXT_STYLES}
            inputWrapperOrder={["label", "input", "description", "error"]}
            description={
              <Text span inherit c={over > 0 ? "red" : undefined} fw={over > 0 ? 700 : undefined}>
                {t("assessment.wordCount", { value: words, max: ASSESSMENT_MAX_WORDS })}
                {over > 0 && ` — ${t("assessment.overLimit", { value: over })}`}
              </Text>
            }
            {...form.getInputProps("text")}
            onChange={(event) => {
              setSubmitted(false);
              form.getInputProps("text").onChange(event);
            }}
          />
          {submitted && (
            <Alert color="teal" role="status">
              {t("assessment.submitted")}
            </Alert>
          )}
          <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
            {t("assessment.submit")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function MyAssessments() {
  const { t } = useTranslation();
  const mine = trpc.tutoring.assessment.mine.useQuery();
  return (
    <Stack gap="md">
      <Title order={2} fz="h3">
        {t("assessment.mine")}
      </Title>
      {mine.isPending ? (
        <SectionLoader />
      ) : mine.isError ? (
        <LoadError error={mine.error} onRetry={() => void mine.refetch()} />
      ) : mine.data.length === 0 ? (
        <Text c="dimmed">{t("assessment.none")}</Text>
      ) : (
        mine.data.map((assessment) => <AssessmentCard key={assessment.id} assessment={assessment} />)
      )}
    </Stack>
  );
}

function AssessmentCard({ assessment }: { assessment: Assessment }) {
  const { t } = useTranslation();
  const format = useFormat();
  const reviewed = assessment.status === "reviewed";
  return (
    <Card withBorder radius="md" padding="lg" component="article">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={3} fz="h5">
              {t("assessment.submittedOn", { date: format.dateTime(assessment.createdAt) })}
            </Title>
            <Text size="sm" c="dimmed">
              {t("assessment.words", { value: assessment.wordCount })}
            </Text>
          </Stack>
          <Badge color={reviewed ? "teal" : "yellow"} variant="light">
            {t(`assessment.status.${assessment.status}`)}
          </Badge>
        </Group>
        <Spoiler maxHeight={120} showLabel={t("assessment.showMore")} hideLabel={t("assessment.showLess")}>
          <Text dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {assessment.text}
          </Text>
        </Spoiler>
        {reviewed && (
          <Card radius="md" padding="md" bg="var(--mantine-color-teal-light)">
            <Stack gap="xs">
              {assessment.cefrLevel && (
                <Group gap="xs">
                  <Text fw={500}>{t("assessment.level")}:</Text>
                  <Badge color="teal" size="lg">
                    {t(`cefr.${assessment.cefrLevel}`)}
                  </Badge>
                </Group>
              )}
              {assessment.reviewComments && (
                <div>
                  <Text fw={500}>{t("assessment.comments")}</Text>
                  <Text dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                    {assessment.reviewComments}
                  </Text>
                </div>
              )}
              {assessment.reviewedAt && assessment.reviewedBy && (
                <Text size="sm" c="dimmed">
                  {t("assessment.reviewedBy", {
                    name: assessment.reviewedBy.name,
                    date: format.dateTime(assessment.reviewedAt),
                  })}
                </Text>
              )}
            </Stack>
          </Card>
        )}
      </Stack>
    </Card>
  );
}
