import type { RouterOutputs } from "@lectern/api/router";
import { CEFR_LEVELS, ReviewAssessmentInput } from "@lectern/api-contract";
import {
  Alert,
  Badge,
  Button,
  Divider,
  Group,
  Modal,
  NativeSelect,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { keepPreviousData } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { OnboardingAnswers } from "../components/OnboardingAnswers";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { FREE_TEXT_STYLES, useSchemaForm, useSubmit } from "../lib/forms";
import { canTeach, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

type AssessmentRow = RouterOutputs["tutoring"]["reviews"]["assessments"]["items"][number];
type OnboardingRow = RouterOutputs["tutoring"]["reviews"]["onboarding"]["items"][number];

const PAGE_SIZE = 20;
const FILTERS = ["toReview", "reviewed", "all"] as const;
type Filter = (typeof FILTERS)[number];
const TABS = ["assessments", "onboarding"] as const;
type Tab = (typeof TABS)[number];

/** Teachers' (and admins') review queues: learners' writing to level, onboarding answers to read. */
export function ReviewsPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = search.get("tab") === "onboarding" ? "onboarding" : "assessments";

  return (
    <Stack gap="lg" maw={1080}>
      <PageHeading>{t("reviews.title")}</PageHeading>
      {canTeach(me) ? (
        <>
          <Text>{t("reviews.intro")}</Text>
          <Tabs
            keepMounted={false}
            value={tab}
            onChange={(value) => setSearch(value === "onboarding" ? { tab: value } : {}, { replace: true })}
          >
            <Tabs.List>
              {TABS.map((value) => (
                <Tabs.Tab key={value} value={value}>
                  {t(`reviews.${value}`)}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            <Tabs.Panel value="assessments" pt="lg">
              <AssessmentQueue />
            </Tabs.Panel>
            <Tabs.Panel value="onboarding" pt="lg">
              <OnboardingQueue />
            </Tabs.Panel>
          </Tabs>
        </>
      ) : (
        <Alert color="yellow" role="alert">
          {t("reviews.forbidden")}
        </Alert>
      )}
    </Stack>
  );
}

/** Which rows a queue shows, as a labelled row of radio buttons. */
function FilterControl({ value, onChange }: { value: Filter; onChange: (value: Filter) => void }) {
  const { t } = useTranslation();
  const labelId = useId();
  return (
    <Group gap="sm">
      <Text id={labelId} size="sm" fw={500}>
        {t("reviews.show")}
      </Text>
      <SegmentedControl
        aria-labelledby={labelId}
        value={value}
        onChange={(next) => onChange(next as Filter)}
        data={FILTERS.map((filter) => ({ value: filter, label: t(`reviews.${filter}`) }))}
      />
    </Group>
  );
}

/** A queue's loading, error and empty states around its table and pages. */
function QueueBody<T>({
  query,
  empty,
  page,
  onPage,
  children,
}: {
  query: {
    isPending: boolean;
    isError: boolean;
    error: unknown;
    isPlaceholderData: boolean;
    refetch: () => unknown;
    data?: { items: T[]; total: number } | undefined;
  };
  empty: string;
  page: number;
  onPage: (page: number) => void;
  children: (items: T[]) => ReactNode;
}) {
  if (query.isPending) return <SectionLoader />;
  if (query.isError || !query.data) return <LoadError error={query.error} onRetry={() => void query.refetch()} />;
  if (query.data.items.length === 0) return <Text c="dimmed">{empty}</Text>;
  return (
    <>
      <Table.ScrollContainer minWidth={680}>
        <div aria-busy={query.isPlaceholderData} style={{ opacity: query.isPlaceholderData ? 0.6 : 1 }}>
          {children(query.data.items)}
        </div>
      </Table.ScrollContainer>
      <Pager total={query.data.total} page={page} pageSize={PAGE_SIZE} onPage={onPage} />
    </>
  );
}

// Writing assessments

function AssessmentQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const [filter, setFilter] = useState<Filter>("toReview");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<AssessmentRow | null>(null);
  const [opened, setOpened] = useState(false);
  const status = filter === "toReview" ? "submitted" : filter === "reviewed" ? "reviewed" : undefined;
  const queue = trpc.tutoring.reviews.assessments.useQuery(
    { status, page, pageSize: PAGE_SIZE },
    { placeholderData: keepPreviousData },
  );

  return (
    <Stack gap="md">
      <FilterControl
        value={filter}
        onChange={(next) => {
          setFilter(next);
          setPage(1);
        }}
      />
      <QueueBody query={queue} empty={t("reviews.noAssessments")} page={page} onPage={setPage}>
        {(items: AssessmentRow[]) => (
          <Table verticalSpacing="sm" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("reviews.learner")}</Table.Th>
                <Table.Th>{t("reviews.submitted")}</Table.Th>
                <Table.Th>{t("reviews.words")}</Table.Th>
                <Table.Th>{t("reviews.status")}</Table.Th>
                <Table.Th>{t("reviews.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((row) => (
                <Table.Tr key={row.id}>
                  <Table.Td maw={360}>
                    <Text fw={500} size="sm">
                      <bdi>{row.learner.name}</bdi>
                    </Text>
                    <Text size="xs" c="dimmed" lineClamp={2} dir="auto">
                      {row.excerpt}
                    </Text>
                  </Table.Td>
                  <Table.Td>{format.dateTime(row.createdAt)}</Table.Td>
                  <Table.Td>{format.number(row.wordCount)}</Table.Td>
                  <Table.Td>
                    {row.status === "reviewed" ? (
                      <Badge color="teal" variant="light">
                        {row.cefrLevel ? `${t("reviews.reviewed")} · ${row.cefrLevel}` : t("reviews.reviewed")}
                      </Badge>
                    ) : (
                      <Badge color="yellow" variant="light">
                        {t("reviews.pending")}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-label={t("reviews.openAssessment", { name: row.learner.name })}
                      onClick={() => {
                        setSelected(row);
                        setOpened(true);
                      }}
                    >
                      {t("reviews.open")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueueBody>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        size="lg"
        title={selected ? t("reviews.assessmentTitle", { name: selected.learner.name }) : ""}
        closeButtonProps={{ "aria-label": t("common.close") }}
      >
        {selected && <AssessmentReview key={selected.id} row={selected} onDone={() => setOpened(false)} />}
      </Modal>
    </Stack>
  );
}

/** One learner's text in full, and either the review form or the review it got. */
function AssessmentReview({ row, onDone }: { row: AssessmentRow; onDone: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const assessment = trpc.tutoring.assessment.get.useQuery({ assessmentId: row.id });
  if (assessment.isPending) return <SectionLoader />;
  if (assessment.isError) return <LoadError error={assessment.error} onRetry={() => void assessment.refetch()} />;
  const data = assessment.data;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {t("reviews.submittedOn", { date: format.dateTime(data.createdAt) })} ·{" "}
        {t("assessment.words", { value: data.wordCount })}
      </Text>
      <Text dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {data.text}
      </Text>
      <Divider />
      {data.status === "reviewed" ? (
        <Stack gap="xs">
          {data.cefrLevel && (
            <Group gap="xs">
              <Text fw={500}>{t("reviews.cefrLevel")}:</Text>
              <Badge color="teal" size="lg">
                {t(`cefr.${data.cefrLevel}`)}
              </Badge>
            </Group>
          )}
          <Text fw={500}>{t("reviews.comments")}</Text>
          <Text dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
            {data.reviewComments}
          </Text>
          {data.reviewedAt && data.reviewedBy && (
            <Text size="sm" c="dimmed">
              {t("reviews.reviewedBy", { name: data.reviewedBy.name, date: format.dateTime(data.reviewedAt) })}
            </Text>
          )}
        </Stack>
      ) : (
        <ReviewForm assessmentId={data.id} onDone={onDone} />
      )}
    </Stack>
  );
}

function ReviewForm({ assessmentId, onDone }: { assessmentId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const review = trpc.tutoring.assessment.review.useMutation({
    // Reviewed meanwhile by someone else, or no longer visible: the queue should say so.
    onError: () => void utils.tutoring.reviews.assessments.invalidate(),
  });
  const form = useSchemaForm(ReviewAssessmentInput, {
    assessmentId,
    // No level until the teacher picks one: the schema rejects it until then.
    cefrLevel: "" as (typeof CEFR_LEVELS)[number],
    comments: "",
  });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const reviewed = await review.mutateAsync(values);
    utils.tutoring.assessment.get.setData({ assessmentId }, reviewed);
    await utils.tutoring.reviews.assessments.invalidate();
    notifications.show({ color: "teal", message: t("reviews.reviewSaved") });
    onDone();
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <FailureAlert message={failure?.message} />
        <NativeSelect
          label={t("reviews.cefrLevel")}
          data={[
            { value: "", label: t("reviews.chooseLevel"), disabled: true },
            ...CEFR_LEVELS.map((level) => ({ value: level, label: t(`cefr.${level}`) })),
          ]}
          {...form.getInputProps("cefrLevel")}
        />
        <Textarea
          label={t("reviews.comments")}
          description={t("reviews.commentsHint")}
          autosize
          minRows={4}
          styles={FREE_TEXT_STYLES}
          {...form.getInputProps("comments")}
        />
        <Button type="submit" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
          {t("reviews.submitReview")}
        </Button>
      </Stack>
    </form>
  );
}

// Onboarding answers

function OnboardingQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const [filter, setFilter] = useState<Filter>("toReview");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<OnboardingRow | null>(null);
  const [opened, setOpened] = useState(false);
  const reviewed = filter === "toReview" ? false : filter === "reviewed" ? true : undefined;
  const queue = trpc.tutoring.reviews.onboarding.useQuery(
    { reviewed, page, pageSize: PAGE_SIZE },
    { placeholderData: keepPreviousData },
  );

  return (
    <Stack gap="md">
      <FilterControl
        value={filter}
        onChange={(next) => {
          setFilter(next);
          setPage(1);
        }}
      />
      <QueueBody query={queue} empty={t("reviews.noOnboarding")} page={page} onPage={setPage}>
        {(items: OnboardingRow[]) => (
          <Table verticalSpacing="sm" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("reviews.learner")}</Table.Th>
                <Table.Th>{t("reviews.level")}</Table.Th>
                <Table.Th>{t("reviews.updated")}</Table.Th>
                <Table.Th>{t("reviews.status")}</Table.Th>
                <Table.Th>{t("reviews.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((row) => (
                <Table.Tr key={row.learnerId}>
                  <Table.Td>
                    <Text fw={500} size="sm">
                      <bdi>{row.learner.name}</bdi>
                    </Text>
                    {row.learner.email && (
                      <Text size="xs" c="dimmed">
                        <bdi>{row.learner.email}</bdi>
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{t(`cefr.${row.level}`)}</Table.Td>
                  <Table.Td>{format.dateTime(row.updatedAt)}</Table.Td>
                  <Table.Td>
                    <Badge color={row.reviewedAt ? "teal" : "yellow"} variant="light">
                      {row.reviewedAt ? t("reviews.reviewed") : t("reviews.pending")}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-label={t("reviews.openOnboarding", { name: row.learner.name })}
                      onClick={() => {
                        setSelected(row);
                        setOpened(true);
                      }}
                    >
                      {t("reviews.open")}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueueBody>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        size="lg"
        title={selected ? t("reviews.onboardingTitle", { name: selected.learner.name }) : ""}
        closeButtonProps={{ "aria-label": t("common.close") }}
      >
        {selected && (
          <OnboardingReview key={selected.learnerId} learnerId={selected.learnerId} onDone={() => setOpened(false)} />
        )}
      </Modal>
    </Stack>
  );
}

/** A learner's answers, fresh from the API, and the button that marks them read. */
function OnboardingReview({ learnerId, onDone }: { learnerId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const answers = trpc.tutoring.onboarding.forLearner.useQuery({ learnerId });
  const mark = trpc.tutoring.onboarding.markReviewed.useMutation({
    onSuccess: async (updated) => {
      utils.tutoring.onboarding.forLearner.setData({ learnerId }, updated);
      await utils.tutoring.reviews.onboarding.invalidate();
      notifications.show({ color: "teal", message: t("reviews.markedReviewed") });
      onDone();
    },
  });
  if (answers.isPending) return <SectionLoader />;
  if (answers.isError) return <LoadError error={answers.error} onRetry={() => void answers.refetch()} />;
  if (!answers.data) return <Text c="dimmed">{t("reviews.notAnswered")}</Text>;
  const data = answers.data;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {t("reviews.updatedOn", { date: format.dateTime(data.updatedAt) })}
      </Text>
      <OnboardingAnswers answers={data} />
      <Divider />
      {data.reviewedAt && data.reviewedBy ? (
        <Text size="sm" c="dimmed">
          {t("reviews.reviewedBy", { name: data.reviewedBy.name, date: format.dateTime(data.reviewedAt) })}
        </Text>
      ) : (
        <Stack gap="sm" align="flex-start">
          <FailureAlert message={mark.error ? toFailure(mark.error, t).message : undefined} />
          <Button loading={mark.isPending} onClick={() => mark.mutate({ learnerId })}>
            {t("reviews.markReviewed")}
          </Button>
        </Stack>
      )}
    </Stack>
  );
}
