import { Anchor, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormat } from "../../lib/format";
import { canTeach, isLearner, useCurrentUser } from "../../lib/session";
import { trpc } from "../../lib/trpc";
import { otherParty, useTimeFormat } from "../../lib/tutoring";
import { LoadError, SectionLoader } from "../Status";
import { JoinButton } from "./JoinButton";

const SHOWN = 3;

/** The dashboard's next sessions, each with Join, and the way to book more. */
export function UpcomingSessionsCard() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const upcoming = trpc.tutoring.sessions.upcoming.useQuery({ page: 1, pageSize: SHOWN });
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="upcoming-sessions">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={2} fz="h4" id="upcoming-sessions">
            {t("dashboard.upcoming")}
          </Title>
          <Anchor component={Link} to={canTeach(me) ? "/teaching" : "/sessions"} size="sm">
            {t("sessions.viewAll")}
          </Anchor>
        </Group>
        {upcoming.isPending ? (
          <SectionLoader />
        ) : upcoming.isError ? (
          <LoadError error={upcoming.error} onRetry={() => void upcoming.refetch()} />
        ) : upcoming.data.items.length === 0 ? (
          <Text c="dimmed">{t("sessions.noUpcoming")}</Text>
        ) : (
          <Stack gap="xs">
            {upcoming.data.items.map((session) => (
              <Group key={session.id} justify="space-between" wrap="nowrap">
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Anchor component={Link} to={`/sessions/${session.id}`} fw={600}>
                    {time.dateTime(session.startsAt)}
                  </Anchor>
                  <Text size="sm" c="dimmed" truncate="end">
                    {t("sessions.withName", {
                      name: otherParty(session).name,
                      length: format.duration(session.durationMinutes, "minute"),
                    })}
                  </Text>
                </Stack>
                <JoinButton session={session} size="xs" />
              </Group>
            ))}
          </Stack>
        )}
        {isLearner(me) && (
          <Button component={Link} to="/teachers" variant="light" style={{ alignSelf: "flex-start" }}>
            {t("teachers.find")}
          </Button>
        )}
      </Stack>
    </Card>
  );
}
