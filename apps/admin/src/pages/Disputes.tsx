import type { RouterOutputs } from "@lectern/api/router";
import { AdminListDisputesInput } from "@lectern/api-contract";
import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { ResolveDisputeModal } from "../components/sessions/LifecycleModals.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Dispute = RouterOutputs["admin"]["sessions"]["disputes"]["items"][number];

/** The queue of "teacher didn't come" reports: open ones oldest first, each refunded or completed here. */
export function DisputesPage() {
  const { t } = useTranslation();
  usePageTitle(t("disputes.title"));
  const { params, page, update } = useFilters();
  const parsed = AdminListDisputesInput.safeParse({ state: params.get("state") || undefined, page });
  const input = parsed.success ? parsed.data : AdminListDisputesInput.parse({});
  const disputes = trpc.admin.sessions.disputes.useQuery(input, { placeholderData: keepPreviousData });
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("disputes.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("disputes.intro")}
        </Text>
      </div>
      <SegmentedControl
        aria-label={t("disputes.show")}
        value={input.state}
        onChange={(state) => update({ state })}
        data={[
          { value: "open", label: t("disputes.open") },
          { value: "resolved", label: t("disputes.resolvedTab") },
        ]}
        style={{ alignSelf: "flex-start" }}
      />
      <QueryState query={disputes}>
        {({ items, total, pageSize }) => (
          <>
            {items.length > 0 && <DisputesTable disputes={items} />}
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={input.state === "open" ? t("disputes.emptyOpen") : t("disputes.emptyResolved")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

function DisputesTable({ disputes }: { disputes: Dispute[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [deciding, setDeciding] = useState<{ session: Dispute; resolution: "refund" | "complete" } | null>(null);
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("sessions.startsAt")}</Table.Th>
              <Table.Th>{t("sessions.learner")}</Table.Th>
              <Table.Th>{t("sessions.teacher")}</Table.Th>
              <Table.Th>{t("disputes.reportedAt")}</Table.Th>
              <Table.Th>{t("disputes.learnerNote")}</Table.Th>
              <Table.Th>{t("disputes.decision")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {disputes.map((session) => (
              <Table.Tr key={session.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/sessions/${session.id}`} size="sm" style={{ whiteSpace: "nowrap" }}>
                    {format.dateTime(session.startsAt)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Person person={session.learner} />
                </Table.Td>
                <Table.Td>
                  <Person person={session.teacher} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {session.dispute ? format.dateTime(session.dispute.reportedAt) : ""}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                    {session.teacherAbsentNote || t("sessions.none")}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {session.dispute?.open ? (
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        onClick={() => setDeciding({ session, resolution: "refund" })}
                      >
                        {t("disputes.refund")}
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setDeciding({ session, resolution: "complete" })}
                      >
                        {t("disputes.complete")}
                      </Button>
                    </Group>
                  ) : (
                    <Stack gap={2}>
                      <Badge variant="light" color={session.dispute?.resolution === "refund" ? "red" : "teal"}>
                        {session.dispute?.resolution === "refund" ? t("disputes.refunded") : t("disputes.completed")}
                      </Badge>
                      {session.disputeNote && (
                        <Text size="xs" c="dimmed" style={{ whiteSpace: "pre-wrap" }}>
                          {session.disputeNote}
                        </Text>
                      )}
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {deciding && (
        <ResolveDisputeModal
          key={`${deciding.session.id}-${deciding.resolution}`}
          session={deciding.session}
          resolution={deciding.resolution}
          onClose={() => setDeciding(null)}
        />
      )}
    </>
  );
}

function Person({ person }: { person: { id: string; name: string; email: string } }) {
  return (
    <>
      <Anchor component={Link} to={`/users/${person.id}`} size="sm">
        {person.name}
      </Anchor>
      <Text size="xs" c="dimmed">
        {person.email}
      </Text>
    </>
  );
}
