import type { RouterOutputs } from "@lectern/api/router";
import { ListProviderEventsInput, PROVIDER_EVENT_STATUSES } from "@lectern/api-contract";
import { Badge, Button, Card, Code, Group, type MantineColor, Select, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { keepPreviousData } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { notifyError, notifySuccess } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type ProviderEvent = RouterOutputs["admin"]["inbox"]["list"]["items"][number];

const STATUS_COLORS: Record<ProviderEvent["status"], MantineColor> = {
  received: "blue",
  processed: "green",
  failed: "red",
};

function StatusBadge({ status }: { status: ProviderEvent["status"] }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {t(`providerEvents.statuses.${status}`)}
    </Badge>
  );
}

/** Applies the event again with the registered handlers; only for events not yet applied. */
function ReplayButton({ event }: { event: ProviderEvent }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const replay = trpc.admin.inbox.replay.useMutation({
    onSuccess: (result) => {
      void utils.admin.inbox.list.invalidate();
      void utils.admin.audit.list.invalidate();
      if (result.outcome === "failed")
        notifications.show({ color: "red", message: t("providerEvents.replayFailed", { error: result.error }) });
      else
        notifySuccess(
          t(result.outcome === "processed" ? "providerEvents.replayed" : "providerEvents.alreadyProcessed"),
        );
    },
    onError: notifyError,
  });
  if (event.status === "processed") return null;
  return (
    <Button
      size="xs"
      variant="light"
      loading={replay.isPending}
      onClick={() => replay.mutate({ id: event.id })}
      aria-label={`${t("providerEvents.replay")} ${event.eventId}`}
    >
      {t("providerEvents.replay")}
    </Button>
  );
}

export function ProviderEventsPage() {
  const { t } = useTranslation();
  usePageTitle(t("providerEvents.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const parsed = ListProviderEventsInput.safeParse({
    status: params.get("status") || undefined,
    provider: params.get("provider") || undefined,
    page,
  });
  const events = trpc.admin.inbox.list.useQuery(parsed.success ? parsed.data : ListProviderEventsInput.parse({}), {
    placeholderData: keepPreviousData,
  });

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("providerEvents.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("providerEvents.intro")}
        </Text>
      </div>
      <Group align="flex-end">
        <Select
          label={t("providerEvents.status")}
          placeholder={t("providerEvents.anyStatus")}
          data={PROVIDER_EVENT_STATUSES.map((status) => ({
            value: status,
            label: t(`providerEvents.statuses.${status}`),
          }))}
          value={params.get("status")}
          onChange={(status) => update({ status })}
          clearable
          miw={180}
        />
        <FilterInput
          label={t("providerEvents.provider")}
          placeholder={t("providerEvents.providerPlaceholder")}
          value={params.get("provider") ?? ""}
          onChange={(provider) => update({ provider })}
          maw={240}
        />
      </Group>
      <QueryState query={events}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={760} visibleFrom="sm">
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("providerEvents.provider")}</Table.Th>
                    <Table.Th>{t("providerEvents.type")}</Table.Th>
                    <Table.Th>{t("providerEvents.eventId")}</Table.Th>
                    <Table.Th>{t("providerEvents.status")}</Table.Th>
                    <Table.Th>{t("providerEvents.attempts")}</Table.Th>
                    <Table.Th>{t("providerEvents.lastError")}</Table.Th>
                    <Table.Th>{t("providerEvents.received")}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((event) => (
                    <Table.Tr key={event.id}>
                      <Table.Td>{event.provider}</Table.Td>
                      <Table.Td>{event.type}</Table.Td>
                      <Table.Td>
                        <Code>{event.eventId}</Code>
                      </Table.Td>
                      <Table.Td>
                        <StatusBadge status={event.status} />
                      </Table.Td>
                      <Table.Td>{event.attempts}</Table.Td>
                      <Table.Td>
                        <Text size="sm" dir="auto" lineClamp={2}>
                          {event.lastError ?? "—"}
                        </Text>
                      </Table.Td>
                      <Table.Td>{format.dateTime(event.receivedAt)}</Table.Td>
                      <Table.Td>
                        <ReplayButton event={event} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {/* Phones: one card per event instead of a wide table. */}
            <Stack hiddenFrom="sm" gap="sm">
              {items.map((event) => (
                <Card key={event.id} withBorder padding="sm">
                  <Stack gap={4}>
                    <Group justify="space-between" wrap="nowrap">
                      <Text fw={600}>
                        {event.provider} · {event.type}
                      </Text>
                      <StatusBadge status={event.status} />
                    </Group>
                    <Code style={{ overflowWrap: "anywhere" }}>{event.eventId}</Code>
                    <Text size="sm" c="dimmed">
                      {t("providerEvents.received")}: {format.dateTime(event.receivedAt)} ·{" "}
                      {t("providerEvents.attempts")}: {event.attempts}
                    </Text>
                    {event.lastError && (
                      <Text size="sm" c="red" dir="auto" style={{ overflowWrap: "anywhere" }}>
                        {event.lastError}
                      </Text>
                    )}
                    <Group>
                      <ReplayButton event={event} />
                    </Group>
                  </Stack>
                </Card>
              ))}
            </Stack>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("providerEvents.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
