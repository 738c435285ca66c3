import type { RouterOutputs } from "@lectern/api/router";
import { ListAuditInput } from "@lectern/api-contract";
import { Anchor, Button, Code, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData } from "@tanstack/react-query";
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { Fragment, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { trpc } from "../lib/trpc.ts";

dayjs.extend(utc);
dayjs.extend(timezone);

type Entry = RouterOutputs["admin"]["audit"]["list"]["items"][number];

/** The URL holds calendar days; the query needs instants, from the start of `from` to the end of `to` in the admin's zone. */
function readInput(params: URLSearchParams, page: number, timeZone: string | undefined): ListAuditInput {
  const from = params.get("from");
  const to = params.get("to");
  const parsed = ListAuditInput.safeParse({
    action: params.get("action") || undefined,
    actorId: params.get("actor") || undefined,
    targetId: params.get("target") || undefined,
    from: from ? dayjs.tz(from, timeZone).toDate() : undefined,
    to: to ? dayjs.tz(to, timeZone).endOf("day").toDate() : undefined,
    page,
  });
  return parsed.success ? parsed.data : ListAuditInput.parse({});
}

export function AuditLogPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { params, page, update } = useFilters();
  const entries = trpc.admin.audit.list.useQuery(readInput(params, page, format.timeZone), {
    placeholderData: keepPreviousData,
  });
  const [expanded, setExpanded] = useState<string[]>([]);
  const toggle = (id: string) => setExpanded((ids) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]));

  return (
    <Stack>
      <Title order={1} size="h2">
        {t("audit.title")}
      </Title>
      <Group align="flex-end">
        <FilterInput
          label={t("audit.action")}
          placeholder={t("audit.actionPlaceholder")}
          value={params.get("action") ?? ""}
          onChange={(action) => update({ action })}
        />
        <FilterInput
          label={t("audit.actorId")}
          value={params.get("actor") ?? ""}
          onChange={(actor) => update({ actor })}
        />
        <FilterInput
          label={t("audit.targetId")}
          value={params.get("target") ?? ""}
          onChange={(target) => update({ target })}
        />
        <DateRangeFilter
          from={params.get("from")}
          to={params.get("to")}
          onChange={([from, to]) => update({ from, to })}
        />
      </Group>
      <QueryState query={entries}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={800}>
              <Table verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("audit.time")}</Table.Th>
                    <Table.Th>{t("audit.actor")}</Table.Th>
                    <Table.Th>{t("audit.action")}</Table.Th>
                    <Table.Th>{t("audit.target")}</Table.Th>
                    <Table.Th>{t("audit.changes")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((entry) => {
                    const open = expanded.includes(entry.id);
                    return (
                      <Fragment key={entry.id}>
                        <Table.Tr>
                          <Table.Td>{format.dateTime(entry.createdAt)}</Table.Td>
                          <Table.Td>
                            <Actor entry={entry} />
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{format.action(entry.action)}</Text>
                            <Code>{entry.action}</Code>
                          </Table.Td>
                          <Table.Td>
                            <Target entry={entry} />
                          </Table.Td>
                          <Table.Td>
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              aria-expanded={open}
                              onClick={() => toggle(entry.id)}
                            >
                              {t(open ? "audit.hide" : "audit.show")}
                            </Button>
                          </Table.Td>
                        </Table.Tr>
                        {open && (
                          <Table.Tr>
                            <Table.Td colSpan={5}>
                              <Changes entry={entry} />
                            </Table.Td>
                          </Table.Tr>
                        )}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("audit.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

type DayRange = [string | null, string | null];

/** Picking a range takes two clicks: the first must count even before the URL has re-rendered the page. */
function DateRangeFilter({
  from,
  to,
  onChange,
}: {
  from: string | null;
  to: string | null;
  onChange: (range: DayRange) => void;
}) {
  const { t } = useTranslation();
  const [range, setRange] = useState<DayRange>([from, to]);
  useEffect(() => setRange([from, to]), [from, to]);
  return (
    <DatePickerInput
      type="range"
      label={t("audit.dates")}
      placeholder={t("audit.anyTime")}
      value={range}
      onChange={(next) => {
        setRange(next);
        onChange(next);
      }}
      allowSingleDateInRange
      clearable
      miw={240}
    />
  );
}

function Actor({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  if (!entry.actor) return <Text size="sm">{t("audit.system")}</Text>;
  return (
    <>
      <Anchor component={Link} to={`/users/${entry.actor.id}`} size="sm">
        {entry.actor.name}
      </Anchor>
      <Text size="xs" c="dimmed">
        {entry.actor.email}
      </Text>
    </>
  );
}

function Target({ entry }: { entry: Entry }) {
  return (
    <>
      <Text size="xs" c="dimmed">
        {entry.targetType}
      </Text>
      {entry.targetType === "user" && entry.targetId ? (
        <Anchor component={Link} to={`/users/${entry.targetId}`} size="sm" ff="monospace">
          {entry.targetId}
        </Anchor>
      ) : (
        <Text size="sm" ff="monospace">
          {entry.targetId}
        </Text>
      )}
    </>
  );
}

function Changes({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {(["before", "after"] as const).map((side) => (
          <div key={side}>
            <Text size="sm" fw={600}>
              {t(`audit.${side}`)}
            </Text>
            {/* JSON reads left to right in any language. */}
            <Code block dir="ltr">
              {JSON.stringify(entry[side], null, 2)}
            </Code>
          </div>
        ))}
      </SimpleGrid>
      {entry.ipAddress && (
        <Text size="xs" c="dimmed">
          {t("audit.ip", { ip: entry.ipAddress })}
        </Text>
      )}
    </Stack>
  );
}
