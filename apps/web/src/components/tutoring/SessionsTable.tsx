import { Anchor, Box, Group, Paper, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useFormat } from "../../lib/format";
import { useCurrentUser } from "../../lib/session";
import { otherParty, type SessionSummary, useTimeFormat } from "../../lib/tutoring";
import { JoinButton } from "./JoinButton";
import { CreditBadge, StatusBadge } from "./SessionBadges";

/**
 * Sessions: time in the viewer's zone, the other person, length, status, credit, Join. A table from
 * the "sm" breakpoint up, a list of cards on a phone (a six-column table does not fit 390px).
 */
export function SessionsTable({ items, withJoin }: { items: SessionSummary[]; withJoin: boolean }) {
  return (
    <>
      <Box visibleFrom="sm">
        <SessionsGrid items={items} withJoin={withJoin} />
      </Box>
      <Box hiddenFrom="sm">
        <SessionCards items={items} withJoin={withJoin} />
      </Box>
    </>
  );
}

function SessionCards({ items, withJoin }: { items: SessionSummary[]; withJoin: boolean }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  return (
    <Stack component="ul" gap="sm" p={0} m={0} style={{ listStyle: "none" }}>
      {items.map((session) => {
        const other = otherParty(session);
        return (
          <Paper component="li" key={session.id} withBorder radius="md" p="sm">
            <Stack gap={6}>
              <Anchor component={Link} to={`/sessions/${session.id}`} fw={600}>
                {time.dateTime(session.startsAt)}
              </Anchor>
              <Text size="sm">
                {t("sessions.withName", {
                  name: other.name,
                  length: format.duration(session.durationMinutes, "minute"),
                })}
              </Text>
              <Group gap="xs">
                <StatusBadge status={session.status} />
                <CreditBadge outcome={session.creditOutcome} />
              </Group>
              <Group gap="sm">
                {withJoin && <JoinButton session={session} size="xs" />}
                <Anchor
                  component={Link}
                  to={`/sessions/${session.id}`}
                  size="sm"
                  aria-label={t("sessions.detailsOf", { when: time.dateTime(session.startsAt) })}
                >
                  {t("sessions.details")}
                </Anchor>
              </Group>
            </Stack>
          </Paper>
        );
      })}
    </Stack>
  );
}

function SessionsGrid({ items, withJoin }: { items: SessionSummary[]; withJoin: boolean }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("sessions.when")}</Table.Th>
            <Table.Th>{t("sessions.with")}</Table.Th>
            <Table.Th>{t("sessions.length")}</Table.Th>
            <Table.Th>{t("sessions.status")}</Table.Th>
            <Table.Th>{t("sessions.credit")}</Table.Th>
            <Table.Th>{t("sessions.actions")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((session) => {
            const other = otherParty(session);
            return (
              <Table.Tr key={session.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/sessions/${session.id}`} fw={600}>
                    {time.dateTime(session.startsAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text inherit dir="auto">
                    {other.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t(session.viewerRole === "teacher" ? "sessions.roleLearner" : "sessions.roleTeacher")}
                  </Text>
                </Table.Td>
                <Table.Td>{format.duration(session.durationMinutes, "minute")}</Table.Td>
                <Table.Td>
                  <StatusBadge status={session.status} />
                </Table.Td>
                <Table.Td>
                  <CreditBadge outcome={session.creditOutcome} />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    {withJoin && <JoinButton session={session} size="xs" />}
                    <Anchor
                      component={Link}
                      to={`/sessions/${session.id}`}
                      size="sm"
                      aria-label={t("sessions.detailsOf", { when: time.dateTime(session.startsAt) })}
                    >
                      {t("sessions.details")}
                    </Anchor>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
