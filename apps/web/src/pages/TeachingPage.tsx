import { Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, SectionLoader } from "../components/Status";
import { JoinButton } from "../components/tutoring/JoinButton";
import { OnboardingSummary } from "../components/tutoring/OnboardingSummary";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { useFormat } from "../lib/format";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { type SessionSummary, useTimeFormat } from "../lib/tutoring";

const PAGE_SIZE = 10;
/** How many past sessions are searched for a missing report. */
const PAST_WINDOW = 100;

/** The teachers' room: sessions that need a report, and the schedule ahead with each learner's summary. */
export function TeachingPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={960}>
      <PageHeading>{t("teaching.title")}</PageHeading>
      <TeachersOnly>
        <Group gap="sm">
          <Button component={Link} to="/teaching/availability" variant="light">
            {t("teaching.editAvailability")}
          </Button>
          <Button component={Link} to="/teaching/profile" variant="light">
            {t("teaching.editProfile")}
          </Button>
          <Button component={Link} to="/teaching/earnings" variant="light">
            {t("teaching.viewEarnings")}
          </Button>
        </Group>
        <NeedsReport />
        <Schedule />
      </TeachersOnly>
    </Stack>
  );
}

/**
 * Sessions the teacher has not reported yet (booked ones complete when reported): past ones, and
 * ones under way, which the schedule below lists (with "Report due") until they end. Both come from
 * the API's own canReport, so this list and the cards never disagree.
 */
function NeedsReport() {
  const { t } = useTranslation();
  const past = trpc.tutoring.sessions.past.useQuery({ page: 1, pageSize: PAST_WINDOW });
  // The schedule's first page: sessions under way come first in it (soonest first).
  const current = trpc.tutoring.sessions.upcoming.useQuery({ page: 1, pageSize: PAGE_SIZE });
  return (
    <Stack gap="sm" component="section" aria-labelledby="needs-report">
      <Title order={2} fz="h3" id="needs-report">
        {t("teaching.needsReport")}
      </Title>
      {past.isPending || current.isPending ? (
        <SectionLoader />
      ) : past.isError ? (
        <LoadError error={past.error} onRetry={() => void past.refetch()} />
      ) : current.isError ? (
        <LoadError error={current.error} onRetry={() => void current.refetch()} />
      ) : (
        <ReportList
          sessions={[...current.data.items, ...past.data.items].filter(
            (s) => s.canReport && s.viewerRole === "teacher",
          )}
        />
      )}
    </Stack>
  );
}

function ReportList({ sessions }: { sessions: SessionSummary[] }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  if (sessions.length === 0)
    return (
      <Text c="dimmed" role="status">
        {t("teaching.allReported")}
      </Text>
    );
  return (
    <Stack gap="xs">
      {sessions.map((session) => (
        <Card key={session.id} withBorder radius="md" padding="sm">
          <Group justify="space-between">
            <Stack gap={0}>
              <Text fw={600} dir="auto">
                {session.learner.name}
              </Text>
              <Text size="sm" c="dimmed">
                {time.dateTime(session.startsAt)}
              </Text>
            </Stack>
            <Button component={Link} to={`/sessions/${session.id}`} size="xs">
              {t("teaching.writeReport")}
            </Button>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function Schedule() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const upcoming = trpc.tutoring.sessions.upcoming.useQuery(
    { page, pageSize: PAGE_SIZE },
    { placeholderData: (previous) => previous },
  );
  return (
    <Stack gap="sm" component="section" aria-labelledby="schedule">
      <Title order={2} fz="h3" id="schedule">
        {t("teaching.schedule")}
      </Title>
      {upcoming.isPending ? (
        <SectionLoader />
      ) : upcoming.isError ? (
        <LoadError error={upcoming.error} onRetry={() => void upcoming.refetch()} />
      ) : upcoming.data.items.length === 0 ? (
        <Text c="dimmed" role="status">
          {t("teaching.noUpcoming")}
        </Text>
      ) : (
        <>
          <Stack gap="sm" aria-busy={upcoming.isFetching}>
            {upcoming.data.items.map((session) => (
              <ScheduleItem key={session.id} session={session} />
            ))}
          </Stack>
          <Pager total={upcoming.data.total} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
        </>
      )}
    </Stack>
  );
}

function ScheduleItem({ session }: { session: SessionSummary }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const asTeacher = session.viewerRole === "teacher";
  return (
    <Card withBorder radius="md" padding="md" component="article">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={3} fz="h5">
              {asTeacher ? session.learner.name : t("teaching.asLearnerWith", { name: session.teacher.name })}
            </Title>
            <Text size="sm">
              {time.dateTime(session.startsAt)} · {format.duration(session.durationMinutes, "minute")}
            </Text>
          </Stack>
          <Group gap="xs">
            {session.canReport && <Badge color="orange">{t("teaching.reportDue")}</Badge>}
            <JoinButton session={session} size="xs" />
            <Button
              component={Link}
              to={`/sessions/${session.id}`}
              variant="default"
              size="xs"
              aria-label={t("sessions.detailsOf", { when: time.dateTime(session.startsAt) })}
            >
              {t("sessions.details")}
            </Button>
          </Group>
        </Group>
        {asTeacher && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <OnboardingSummary summary={session.learnerOnboarding} />
            <Stack gap={2}>
              <Text size="sm" fw={600}>
                {t("sessions.meetingLink")}
              </Text>
              {session.meetingUrl ? (
                <Anchor href={session.meetingUrl} target="_blank" rel="noopener noreferrer" size="sm" dir="ltr">
                  {session.meetingUrl}
                </Anchor>
              ) : (
                <Text size="sm" c="dimmed">
                  {t("teaching.noMeetingLink")}
                </Text>
              )}
            </Stack>
          </SimpleGrid>
        )}
      </Stack>
    </Card>
  );
}
