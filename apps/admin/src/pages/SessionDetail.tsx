import {
  Anchor,
  Button,
  Code,
  DataList,
  Divider,
  Group,
  Paper,
  Rating,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { QueryState } from "../components/QueryState.tsx";
import { CreditBadge, StatusBadge } from "../components/sessions/badges.tsx";
import { ResolveDisputeModal, ReverseSessionModal } from "../components/sessions/LifecycleModals.tsx";
import {
  type AdminSession,
  CancelSessionModal,
  DeleteSessionModal,
  EditSessionModal,
} from "../components/sessions/SessionModals.tsx";
import { useFormat } from "../lib/format.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

const RATING_MAX = 5;

export function SessionDetailPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const session = trpc.admin.sessions.get.useQuery({ sessionId: id });
  usePageTitle(
    session.data
      ? t("sessions.detailTitle", { learner: session.data.learner.name, teacher: session.data.teacher.name })
      : t("sessions.title"),
  );
  return (
    <Stack>
      <Anchor component={Link} to="/sessions" size="sm">
        {t("sessions.back")}
      </Anchor>
      <QueryState query={session}>{(detail) => <SessionDetail session={detail} />}</QueryState>
    </Stack>
  );
}

function SessionDetail({ session }: { session: AdminSession }) {
  const { t } = useTranslation();
  const format = useFormat();
  const done = session.status === "completed" || session.report !== null;
  return (
    <Stack>
      <div>
        <Group gap="sm">
          <Title order={1} size="h2">
            {t("sessions.detailTitle", { learner: session.learner.name, teacher: session.teacher.name })}
          </Title>
          <StatusBadge status={session.status} />
        </Group>
        <Text c="dimmed">
          {t("sessions.when", {
            date: format.dateTime(session.startsAt),
            minutes: format.number(session.durationMinutes),
          })}
        </Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Facts session={session} />
        </Paper>
        <Stack>
          <Paper withBorder p="md">
            <Actions session={session} />
          </Paper>
          {done && (
            <Paper withBorder p="md">
              <Report session={session} />
            </Paper>
          )}
        </Stack>
      </SimpleGrid>
      <Paper withBorder p="md">
        <Ledger session={session} />
      </Paper>
    </Stack>
  );
}

function Facts({ session }: { session: AdminSession }) {
  const { t } = useTranslation();
  const format = useFormat();
  const facts: [string, ReactNode][] = [
    [t("sessions.startsAt"), format.dateTime(session.startsAt)],
    [t("sessions.endsAt"), format.dateTime(session.endsAt)],
    [t("sessions.length"), t("common.minutes", { minutes: format.number(session.durationMinutes) })],
    [t("sessions.teacher"), <PersonLink key="teacher" person={session.teacher} />],
    [t("sessions.learner"), <PersonLink key="learner" person={session.learner} />],
    [
      t("sessions.meetingLink"),
      session.meetingUrl ? (
        <Anchor href={session.meetingUrl} target="_blank" rel="noopener noreferrer" size="sm" dir="ltr">
          {session.meetingUrl}
        </Anchor>
      ) : (
        t("sessions.none")
      ),
    ],
    [
      t("sessions.credit"),
      <Stack key="credit" gap={4} align="flex-start">
        <CreditBadge outcome={session.creditOutcome} />
        <Text size="xs" c="dimmed">
          {t(`sessions.creditExplained.${session.creditOutcome}`)}
        </Text>
        {session.paidMinutes !== null && (
          <Text size="xs" c="dimmed">
            {t("sessions.creditsTaken", {
              credits: format.number(session.credits),
              minutes: format.number(session.paidMinutes),
            })}
          </Text>
        )}
      </Stack>,
    ],
    [
      t("sessions.rate"),
      session.hourlyRateMinor > 0
        ? t("sessions.perHour", { rate: format.money(session.hourlyRateMinor, session.rateCurrency) })
        : t("sessions.noRate"),
    ],
    [t("sessions.bookedBy"), <Who key="booked" session={session} userId={session.createdBy} />],
    [t("sessions.bookedOn"), format.dateTime(session.createdAt)],
  ];
  if (session.completedAt) facts.push([t("sessions.completedOn"), format.dateTime(session.completedAt)]);
  if (session.learnerAbsentAt) facts.push([t("sessions.learnerAbsentAt"), format.dateTime(session.learnerAbsentAt)]);
  if (session.dispute)
    facts.push(
      [t("sessions.teacherAbsentReportedAt"), format.dateTime(session.dispute.reportedAt)],
      [t("disputes.learnerNote"), session.teacherAbsentNote || t("sessions.none")],
      [
        t("disputes.decision"),
        session.dispute.resolution
          ? `${t(session.dispute.resolution === "refund" ? "disputes.refunded" : "disputes.completed")}: ${session.disputeNote ?? ""}`
          : t("disputes.waiting"),
      ],
    );
  if (session.reversal)
    facts.push(
      [t("sessions.reversedOn"), format.dateTime(session.reversal.reversedAt)],
      [t("sessions.reversalReason"), session.reversal.reason],
    );
  if (session.cancelledAt)
    facts.push(
      [t("sessions.cancelledOn"), format.dateTime(session.cancelledAt)],
      [t("sessions.cancelledBy"), <Who key="cancelled" session={session} userId={session.cancelledById} />],
      [t("sessions.cancelReason"), session.cancelReason || t("sessions.none")],
    );
  facts.push([
    t("sessions.notes"),
    session.notes ? (
      <Text key="notes" size="sm" style={{ whiteSpace: "pre-wrap" }} dir="auto">
        {session.notes}
      </Text>
    ) : (
      t("sessions.none")
    ),
  ]);
  return (
    <DataList labelWidth={170}>
      {facts.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

function PersonLink({ person }: { person: { id: string; name: string; email: string } }) {
  return (
    <>
      <Anchor component={Link} to={`/users/${person.id}`} size="sm" dir="auto">
        {person.name}
      </Anchor>
      <Text size="xs" c="dimmed">
        {person.email}
      </Text>
    </>
  );
}

/** Who booked or cancelled: the session's own people by name, anyone else (an admin) looked up. */
function Who({ session, userId }: { session: AdminSession; userId: string | null }) {
  const { t } = useTranslation();
  const known = [session.learner, session.teacher].find((person) => person.id === userId);
  const other = trpc.admin.users.get.useQuery({ userId: userId ?? "" }, { enabled: Boolean(userId) && !known });
  if (!userId) return t("sessions.unknownPerson");
  if (known) return <PersonLink person={known} />;
  if (other.data) return <PersonLink person={other.data} />;
  return (
    <Anchor component={Link} to={`/users/${userId}`} size="sm" ff="monospace">
      {userId}
    </Anchor>
  );
}

function Actions({ session }: { session: AdminSession }) {
  const { t } = useTranslation();
  const [dialog, setDialog] = useState<"edit" | "cancel" | "delete" | "reverse" | "refund" | "complete" | null>(null);
  const close = () => setDialog(null);
  const booked = session.status === "booked";
  // The server deletes only a session that never moved credits or pay.
  const deletable = session.creditOutcome === "none" && session.ledger.length === 0;
  return (
    <Stack>
      <Title order={2} size="h4">
        {t("sessions.actions")}
      </Title>
      <Group>
        <Button variant="default" onClick={() => setDialog("edit")}>
          {t("sessions.edit")}
        </Button>
        {booked && (
          <Button color="red" variant="light" onClick={() => setDialog("cancel")}>
            {t("sessions.cancelSession")}
          </Button>
        )}
      </Group>
      {booked && (
        <Text size="sm" c="dimmed">
          {t("sessions.cancelHint")}
        </Text>
      )}
      {session.dispute?.open && (
        <>
          <Text size="sm">{t("disputes.openOnSession")}</Text>
          <Group>
            <Button color="red" variant="light" onClick={() => setDialog("refund")}>
              {t("disputes.refund")}
            </Button>
            <Button variant="light" onClick={() => setDialog("complete")}>
              {t("disputes.complete")}
            </Button>
          </Group>
        </>
      )}
      {session.canReverse && !session.dispute?.open && (
        <>
          <Group>
            <Button color="red" variant="outline" onClick={() => setDialog("reverse")}>
              {t("sessions.reverse")}
            </Button>
          </Group>
          <Text size="sm" c="dimmed">
            {t("sessions.reverseHint")}
          </Text>
        </>
      )}
      <Divider />
      <Group>
        <Button color="red" variant="outline" disabled={!deletable} onClick={() => setDialog("delete")}>
          {t("sessions.deleteSession")}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t(deletable ? "sessions.deleteHint" : booked ? "sessions.deleteBlockedBooked" : "sessions.deleteBlocked")}
      </Text>

      <EditSessionModal
        key={`edit-${dialog === "edit"}`}
        session={session}
        opened={dialog === "edit"}
        onClose={close}
      />
      <CancelSessionModal session={session} opened={dialog === "cancel"} onClose={close} />
      <DeleteSessionModal session={session} opened={dialog === "delete"} onClose={close} />
      <ReverseSessionModal session={session} opened={dialog === "reverse"} onClose={close} />
      <ResolveDisputeModal
        session={session}
        resolution={dialog === "refund" || dialog === "complete" ? dialog : null}
        onClose={close}
      />
    </Stack>
  );
}

function Report({ session }: { session: AdminSession }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { report } = session;
  return (
    <Stack>
      <Title order={2} size="h4">
        {t("sessions.report")}
      </Title>
      {report ? (
        <DataList labelWidth={170}>
          {(
            [
              [t("sessions.reportMessage"), report.message],
              [t("sessions.reportNextSteps"), report.nextSteps],
              [t("sessions.reportComments"), report.comments],
            ] as const
          ).map(([label, text]) => (
            <DataList.Item key={label}>
              <DataList.ItemLabel>{label}</DataList.ItemLabel>
              <DataList.ItemValue>
                <Text size="sm" style={{ whiteSpace: "pre-wrap" }} dir="auto">
                  {text || t("sessions.none")}
                </Text>
              </DataList.ItemValue>
            </DataList.Item>
          ))}
        </DataList>
      ) : (
        <Text size="sm" c="dimmed">
          {t("sessions.noReport")}
        </Text>
      )}
      <Title order={3} size="h5">
        {t("sessions.rating")}
      </Title>
      {session.rating === null ? (
        <Text size="sm" c="dimmed">
          {t("sessions.notRated")}
        </Text>
      ) : (
        <Stack gap={4}>
          <Group gap="xs">
            <Rating value={session.rating} count={RATING_MAX} readOnly aria-hidden />
            <Text size="sm">
              {t("sessions.ratingValue", { rating: format.number(session.rating), max: format.number(RATING_MAX) })}
            </Text>
          </Group>
          {session.ratingComment && (
            <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
              {session.ratingComment}
            </Text>
          )}
          {session.ratedAt && (
            <Text size="xs" c="dimmed">
              {format.dateTime(session.ratedAt)}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function Ledger({ session }: { session: AdminSession }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const kind = (code: string) => {
    const key = `sessions.ledgerKinds.${code.replaceAll(".", "_")}`;
    return i18n.exists(key) ? t(key) : code;
  };
  return (
    <Stack>
      <Title order={2} size="h4">
        {t("sessions.ledger")}
      </Title>
      {session.ledger.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("sessions.ledgerEmpty")}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("sessions.ledgerWhen")}</Table.Th>
                <Table.Th>{t("sessions.ledgerKind")}</Table.Th>
                <Table.Th>{t("sessions.ledgerId")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {session.ledger.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{format.dateTime(entry.createdAt)}</Table.Td>
                  <Table.Td>{kind(entry.kind)}</Table.Td>
                  <Table.Td>
                    <Code>{entry.id}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
