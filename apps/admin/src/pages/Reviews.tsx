import type { RouterOutputs } from "@lectern/api/router";
import {
  AssessmentStatus,
  CEFR_LEVELS,
  ListAssessmentsInput,
  ListOnboardingInput,
  ReviewAssessmentInput,
  SKILL_PRIORITY,
  SKILLS,
  TEXT_MAX,
} from "@lectern/api-contract";
import {
  Anchor,
  Badge,
  Button,
  DataList,
  Drawer,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { formResolver, notifyError, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type AssessmentItem = RouterOutputs["tutoring"]["reviews"]["assessments"]["items"][number];
type Assessment = RouterOutputs["tutoring"]["assessment"]["get"];
type OnboardingItem = RouterOutputs["tutoring"]["reviews"]["onboarding"]["items"][number];
type Answers = NonNullable<RouterOutputs["tutoring"]["onboarding"]["forLearner"]>;

const TABS = ["assessments", "onboarding"] as const;
type Tab = (typeof TABS)[number];
const isTab = (value: unknown): value is Tab => TABS.includes(value as Tab);

export function ReviewsPage() {
  const { t } = useTranslation();
  usePageTitle(t("reviews.title"));
  const { params, update } = useFilters();
  const tab: Tab = isTab(params.get("tab")) ? (params.get("tab") as Tab) : "assessments";
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("reviews.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("reviews.intro")}
        </Text>
      </div>
      <Tabs
        value={tab}
        // Each queue has its own filters and pages.
        onChange={(next) => isTab(next) && update({ tab: next, status: null, reviewed: null })}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="assessments">{t("reviews.assessmentsTab")}</Tabs.Tab>
          <Tabs.Tab value="onboarding">{t("reviews.onboardingTab")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="assessments" pt="md">
          <AssessmentQueue />
        </Tabs.Panel>
        <Tabs.Panel value="onboarding" pt="md">
          <OnboardingQueue />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Facts({ facts }: { facts: [string, ReactNode][] }) {
  return (
    <DataList labelWidth={160}>
      {facts.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

/** A learner's name, linking to their user page, with their email under it when the API gave it. */
function Learner({ learner }: { learner: { id: string; name: string; email?: string | null } }) {
  return (
    <>
      <Anchor component={Link} to={`/users/${learner.id}`} size="sm" dir="auto">
        {learner.name}
      </Anchor>
      {learner.email && (
        <Text size="xs" c="dimmed">
          {learner.email}
        </Text>
      )}
    </>
  );
}

function ReviewedBadge({ reviewed }: { reviewed: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge color={reviewed ? "green" : "yellow"} variant="light">
      {t(reviewed ? "reviews.statuses.reviewed" : "reviews.statuses.submitted")}
    </Badge>
  );
}

/** Long text as the learner wrote it, in its own direction. */
function Writing({ text }: { text: string }) {
  return (
    <Paper withBorder p="md">
      <Text size="sm" dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {text}
      </Text>
    </Paper>
  );
}

// Writing assessments

function AssessmentQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const { params, page, update } = useFilters();
  const parsed = ListAssessmentsInput.safeParse({ status: params.get("status") || undefined, page });
  const input = parsed.success ? parsed.data : ListAssessmentsInput.parse({});
  const assessments = trpc.tutoring.reviews.assessments.useQuery(input, { placeholderData: keepPreviousData });
  const [selected, setSelected] = useState<AssessmentItem | null>(null);

  return (
    <Stack>
      <Select
        label={t("reviews.status")}
        placeholder={t("reviews.allStatuses")}
        data={AssessmentStatus.options.map((status) => ({ value: status, label: t(`reviews.statuses.${status}`) }))}
        value={input.status ?? null}
        onChange={(status) => update({ status })}
        clearable
        w={220}
      />
      <QueryState query={assessments}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={860}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("reviews.learner")}</Table.Th>
                    <Table.Th>{t("reviews.submitted")}</Table.Th>
                    <Table.Th>{t("reviews.excerpt")}</Table.Th>
                    <Table.Th>{t("reviews.words")}</Table.Th>
                    <Table.Th>{t("reviews.status")}</Table.Th>
                    <Table.Th>{t("reviews.level")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((item) => (
                    <Table.Tr key={item.id}>
                      <Table.Td>
                        <Learner learner={item.learner} />
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{format.dateTime(item.createdAt)}</Table.Td>
                      <Table.Td maw={360}>
                        {/* The excerpt opens the assessment. */}
                        <Anchor
                          component="button"
                          type="button"
                          size="sm"
                          dir="auto"
                          ta="start"
                          lineClamp={2}
                          onClick={() => setSelected(item)}
                        >
                          {item.excerpt}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{format.number(item.wordCount)}</Table.Td>
                      <Table.Td>
                        <ReviewedBadge reviewed={item.status === "reviewed"} />
                      </Table.Td>
                      <Table.Td>{item.cefrLevel ?? "—"}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("reviews.assessmentsEmpty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
      <Drawer
        opened={selected !== null}
        onClose={() => setSelected(null)}
        position="right"
        size="lg"
        title={
          <Text fw={700} dir="auto">
            {selected && t("reviews.assessmentTitle", { name: selected.learner.name })}
          </Text>
        }
      >
        {selected && <AssessmentDetail key={selected.id} id={selected.id} email={selected.learner.email} />}
      </Drawer>
    </Stack>
  );
}

function AssessmentDetail({ id, email }: { id: string; email: string | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const assessment = trpc.tutoring.assessment.get.useQuery({ assessmentId: id });
  return (
    <QueryState query={assessment}>
      {(detail) => (
        <Stack>
          <Facts
            facts={[
              [t("reviews.learner"), <Learner key="learner" learner={{ ...detail.learner, email }} />],
              [t("reviews.submitted"), format.dateTime(detail.createdAt)],
              [t("reviews.words"), format.number(detail.wordCount)],
              [t("reviews.status"), <ReviewedBadge key="status" reviewed={detail.status === "reviewed"} />],
            ]}
          />
          <Title order={3} size="h5">
            {t("reviews.text")}
          </Title>
          <Writing text={detail.text} />
          {detail.status === "reviewed" ? <ReviewResult assessment={detail} /> : <ReviewForm assessment={detail} />}
        </Stack>
      )}
    </QueryState>
  );
}

function ReviewResult({ assessment }: { assessment: Assessment }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Stack>
      <Title order={3} size="h5">
        {t("reviews.result")}
      </Title>
      <Facts
        facts={[
          [t("reviews.level"), assessment.cefrLevel ? <CefrLabel level={assessment.cefrLevel} /> : "—"],
          [t("reviews.reviewedBy"), assessment.reviewedBy?.name ?? "—"],
          [t("reviews.reviewedAt"), assessment.reviewedAt ? format.dateTime(assessment.reviewedAt) : "—"],
        ]}
      />
      {assessment.reviewComments && <Writing text={assessment.reviewComments} />}
    </Stack>
  );
}

function CefrLabel({ level }: { level: (typeof CEFR_LEVELS)[number] }) {
  const { t } = useTranslation();
  return <>{t("reviews.cefrOption", { level, name: t(`reviews.cefr.${level}`) })}</>;
}

const ReviewFields = ReviewAssessmentInput.omit({ assessmentId: true });

function ReviewForm({ assessment }: { assessment: Assessment }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const form = useForm<{ cefrLevel: string | null; comments: string }>({
    initialValues: { cefrLevel: null, comments: "" },
    validate: (values) => formResolver(ReviewFields)({ ...values, cefrLevel: values.cefrLevel ?? undefined }),
  });
  const review = trpc.tutoring.assessment.review.useMutation({
    onSuccess: (updated) => {
      utils.tutoring.assessment.get.setData({ assessmentId: updated.id }, updated);
      void utils.tutoring.reviews.assessments.invalidate();
      void utils.admin.audit.list.invalidate();
      notifySuccess(t("reviews.reviewed", { name: updated.learner.name }));
    },
    onError: (error) => {
      showFormError(error, form);
      // Someone else may have reviewed it meanwhile: show what is there now.
      void utils.tutoring.assessment.get.invalidate({ assessmentId: assessment.id });
      void utils.tutoring.reviews.assessments.invalidate();
    },
  });
  return (
    <form
      onSubmit={form.onSubmit((values) =>
        review.mutate(ReviewAssessmentInput.parse({ ...values, assessmentId: assessment.id })),
      )}
      noValidate
    >
      <Stack>
        <Title order={3} size="h5">
          {t("reviews.review")}
        </Title>
        <Select
          label={t("reviews.level")}
          placeholder={t("reviews.chooseLevel")}
          required
          data={CEFR_LEVELS.map((level) => ({
            value: level,
            label: t("reviews.cefrOption", { level, name: t(`reviews.cefr.${level}`) }),
          }))}
          w={260}
          {...form.getInputProps("cefrLevel")}
        />
        <Textarea
          label={t("reviews.comments")}
          description={t("reviews.commentsHint")}
          required
          autosize
          minRows={4}
          maxLength={TEXT_MAX}
          dir="auto"
          {...form.getInputProps("comments")}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={review.isPending}>
            {t("reviews.submitReview")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

// Onboarding answers

const REVIEWED_FILTER = { yes: true, no: false } as const;

function OnboardingQueue() {
  const { t } = useTranslation();
  const format = useFormat();
  const { params, page, update } = useFilters();
  const reviewedParam = params.get("reviewed");
  const reviewed = reviewedParam === "yes" || reviewedParam === "no" ? reviewedParam : null;
  const parsed = ListOnboardingInput.safeParse({
    reviewed: reviewed ? REVIEWED_FILTER[reviewed] : undefined,
    page,
  });
  const input = parsed.success ? parsed.data : ListOnboardingInput.parse({});
  const answers = trpc.tutoring.reviews.onboarding.useQuery(input, { placeholderData: keepPreviousData });
  const [selected, setSelected] = useState<OnboardingItem | null>(null);

  return (
    <Stack>
      <Select
        label={t("reviews.status")}
        placeholder={t("reviews.allStatuses")}
        data={[
          { value: "no", label: t("reviews.statuses.submitted") },
          { value: "yes", label: t("reviews.statuses.reviewed") },
        ]}
        value={reviewed}
        onChange={(value) => update({ reviewed: value })}
        clearable
        w={220}
      />
      <QueryState query={answers}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("reviews.learner")}</Table.Th>
                    <Table.Th>{t("reviews.selfLevel")}</Table.Th>
                    <Table.Th>{t("reviews.format")}</Table.Th>
                    <Table.Th>{t("reviews.updated")}</Table.Th>
                    <Table.Th>{t("reviews.status")}</Table.Th>
                    <Table.Th>{t("reviews.answers")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((item) => (
                    <Table.Tr key={item.learnerId}>
                      <Table.Td>
                        <Learner learner={item.learner} />
                      </Table.Td>
                      <Table.Td>{item.level}</Table.Td>
                      <Table.Td>{t(`reviews.formats.${item.preferredFormat}`)}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{format.dateTime(item.updatedAt)}</Table.Td>
                      <Table.Td>
                        <ReviewedBadge reviewed={item.reviewedAt !== null} />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => setSelected(item)}
                          aria-label={`${t("reviews.openAnswers")}: ${item.learner.name}`}
                        >
                          {t("reviews.openAnswers")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("reviews.onboardingEmpty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
      <Drawer
        opened={selected !== null}
        onClose={() => setSelected(null)}
        position="right"
        size="lg"
        title={
          <Text fw={700} dir="auto">
            {selected && t("reviews.onboardingTitle", { name: selected.learner.name })}
          </Text>
        }
      >
        {selected && <OnboardingDetail key={selected.learnerId} learner={selected.learner} />}
      </Drawer>
    </Stack>
  );
}

function OnboardingDetail({ learner }: { learner: OnboardingItem["learner"] }) {
  const { t } = useTranslation();
  const answers = trpc.tutoring.onboarding.forLearner.useQuery({ learnerId: learner.id });
  return (
    <QueryState query={answers}>
      {(detail) =>
        detail ? (
          <OnboardingAnswers learner={learner} answers={detail} />
        ) : (
          <Text c="dimmed">{t("reviews.noAnswers")}</Text>
        )
      }
    </QueryState>
  );
}

function OnboardingAnswers({ learner, answers }: { learner: OnboardingItem["learner"]; answers: Answers }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const markReviewed = trpc.tutoring.onboarding.markReviewed.useMutation({
    onSuccess: (updated) => {
      utils.tutoring.onboarding.forLearner.setData({ learnerId: learner.id }, updated);
      void utils.tutoring.reviews.onboarding.invalidate();
      void utils.admin.audit.list.invalidate();
      notifySuccess(t("reviews.markedReviewed", { name: learner.name }));
    },
    onError: notifyError,
  });
  const text = (value: string) => (value ? <Writing text={value} /> : <Text c="dimmed">—</Text>);
  return (
    <Stack>
      <Facts
        facts={[
          [t("reviews.learner"), <Learner key="learner" learner={learner} />],
          [t("reviews.selfLevel"), <CefrLabel key="level" level={answers.level} />],
          [t("reviews.format"), t(`reviews.formats.${answers.preferredFormat}`)],
          [t("reviews.timezone"), answers.timezone],
          [t("reviews.updated"), format.dateTime(answers.updatedAt)],
          [t("reviews.status"), <ReviewedBadge key="status" reviewed={answers.reviewedAt !== null} />],
          ...(answers.reviewedAt
            ? ([
                [t("reviews.reviewedBy"), answers.reviewedBy?.name ?? "—"],
                [t("reviews.reviewedAt"), format.dateTime(answers.reviewedAt)],
              ] as [string, ReactNode][])
            : []),
        ]}
      />
      <Title order={3} size="h5">
        {t("reviews.skills")}
      </Title>
      <Text size="xs" c="dimmed">
        {t("reviews.skillsHint", {
          min: format.number(SKILL_PRIORITY.min),
          max: format.number(SKILL_PRIORITY.max),
        })}
      </Text>
      <Table verticalSpacing={4} maw={360}>
        <Table.Tbody>
          {[...SKILLS]
            .sort((a, b) => (answers.skillPriorities[b] ?? 0) - (answers.skillPriorities[a] ?? 0))
            .map((skill) => (
              <Table.Tr key={skill}>
                <Table.Td>{t(`reviews.skillNames.${skill}`)}</Table.Td>
                <Table.Td>
                  {answers.skillPriorities[skill] === undefined
                    ? "—"
                    : t("reviews.priority", {
                        value: format.number(answers.skillPriorities[skill]),
                        max: format.number(SKILL_PRIORITY.max),
                      })}
                </Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
      <Title order={3} size="h5">
        {t("reviews.goals")}
      </Title>
      {text(answers.goals)}
      <Title order={3} size="h5">
        {t("reviews.availability")}
      </Title>
      {text(answers.availability)}
      <Title order={3} size="h5">
        {t("reviews.notes")}
      </Title>
      {text(answers.notes)}
      {answers.reviewedAt === null && (
        <Group justify="flex-end">
          <Button loading={markReviewed.isPending} onClick={() => markReviewed.mutate({ learnerId: learner.id })}>
            {t("reviews.markReviewed")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
