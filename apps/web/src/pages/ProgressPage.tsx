import { Alert, Box, Card, Group, SimpleGrid, Stack, Text, Title, VisuallyHidden } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { PageHeading } from "../components/PageHeading";
import { LoadError, PageLoader } from "../components/Status";
import { RatingSummary } from "../components/tutoring/RatingSummary";
import { useFormat } from "../lib/format";
import { isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { useTimeFormat } from "../lib/tutoring";

const CHART_HEIGHT = 160;

/** A learner's progress: totals, and sessions per month over the last year. */
export function ProgressPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Stack gap="lg" maw={960}>
      <PageHeading>{t("progress.title")}</PageHeading>
      {isLearner(me) ? (
        <ProgressContent />
      ) : (
        <Alert color="yellow" role="alert">
          {t("progress.learnersOnly")}
        </Alert>
      )}
    </Stack>
  );
}

function ProgressContent() {
  const { t } = useTranslation();
  const format = useFormat();
  const progress = trpc.tutoring.progress.useQuery();
  const time = useTimeFormat(progress.data?.timezone ?? "UTC");
  if (progress.isPending) return <PageLoader />;
  if (progress.isError) return <LoadError error={progress.error} onRetry={() => void progress.refetch()} />;
  const data = progress.data;
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Stat label={t("progress.completed")} value={format.number(data.completedSessions)} />
        <Stat label={t("progress.time")} value={time.hours(data.totalMinutes)} />
        <Card withBorder radius="md" padding="lg">
          <Text size="sm" c="dimmed">
            {t("progress.averageRating")}
          </Text>
          <Box mt={6}>
            <RatingSummary average={data.averageRating} count={data.ratingsCount} />
          </Box>
          <Text size="xs" c="dimmed" mt={4}>
            {t("progress.averageRatingHint")}
          </Text>
        </Card>
      </SimpleGrid>
      <MonthlyChart months={data.months} />
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder radius="md" padding="lg">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fz={28} fw={700}>
        {value}
      </Text>
    </Card>
  );
}

type Month = { month: string; sessions: number; minutes: number };

/** Sessions per month as bars (Mantine boxes), with a table of the same numbers for screen readers. */
function MonthlyChart({ months }: { months: Month[] }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const most = Math.max(1, ...months.map((m) => m.sessions));
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} fz="h4" mb="md">
        {t("progress.perMonth")}
      </Title>
      <Group gap={4} align="flex-end" wrap="nowrap" aria-hidden h={CHART_HEIGHT + 48}>
        {months.map((m) => (
          <Stack key={m.month} gap={4} align="center" justify="flex-end" style={{ flex: 1, minWidth: 0 }} h="100%">
            <Text size="xs" fw={600} c={m.sessions ? undefined : "dimmed"}>
              {format.number(m.sessions)}
            </Text>
            <Box
              w="70%"
              maw={36}
              h={Math.max(2, Math.round((m.sessions / most) * CHART_HEIGHT))}
              bg={m.sessions ? "indigo.5" : "gray.3"}
              style={{ borderRadius: "var(--mantine-radius-sm) var(--mantine-radius-sm) 0 0" }}
              title={t("progress.barLabel", {
                month: time.monthLong(m.month),
                sessions: m.sessions,
                hours: time.hours(m.minutes),
              })}
            />
            <Text size="xs" c="dimmed" truncate="end" maw="100%">
              {time.monthShort(m.month)}
            </Text>
          </Stack>
        ))}
      </Group>
      <VisuallyHidden>
        <table>
          <caption>{t("progress.perMonth")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("progress.month")}</th>
              <th scope="col">{t("progress.sessions")}</th>
              <th scope="col">{t("progress.time")}</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">{time.monthLong(m.month)}</th>
                <td>{format.number(m.sessions)}</td>
                <td>{time.hours(m.minutes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Card>
  );
}
