import type { RouterOutputs } from "@lectern/api/router";
import { AUDIT_ACTIONS, ListAuditInput } from "@lectern/api-contract";
import { Anchor, Button, Code, Group, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData } from "@tanstack/react-query";
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { Fragment, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { UserPicker } from "../components/sessions/UserPicker.tsx";
import { useFormat } from "../lib/format.ts";
import { i18n } from "../lib/i18n.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
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
    personId: params.get("person") || undefined,
    from: from ? dayjs.tz(from, timeZone).toDate() : undefined,
    to: to ? dayjs.tz(to, timeZone).endOf("day").toDate() : undefined,
    page,
  });
  return parsed.success ? parsed.data : ListAuditInput.parse({});
}

export function AuditLogPage() {
  const { t } = useTranslation();
  usePageTitle(t("audit.title"));
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
        <Select
          label={t("audit.action")}
          placeholder={t("audit.anyAction")}
          data={AUDIT_ACTIONS.map((action) => ({ value: action, label: format.action(action) }))}
          value={params.get("action")}
          onChange={(action) => update({ action })}
          searchable
          clearable
          miw={240}
        />
        <UserPicker
          label={t("audit.doneBy")}
          value={params.get("actor")}
          onChange={(actor) => update({ actor })}
          miw={220}
        />
        <UserPicker
          label={t("audit.about")}
          value={params.get("person")}
          onChange={(person) => update({ person, target: null })}
          miw={220}
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
                          </Table.Td>
                          <Table.Td>
                            <Target entry={entry} />
                          </Table.Td>
                          <Table.Td>
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              aria-expanded={open}
                              aria-label={`${t(open ? "audit.hide" : "audit.show")}: ${format.action(entry.action)}, ${format.dateTime(entry.createdAt)}`}
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
      {/* Done from an impersonated session: "Admin X as User Y". */}
      {entry.impersonator && (
        <>
          <Anchor component={Link} to={`/users/${entry.impersonator.id}`} size="sm" dir="auto">
            {entry.impersonator.name}
          </Anchor>
          <Text size="xs" c="dimmed">
            {t("audit.as")}
          </Text>
        </>
      )}
      <Anchor component={Link} to={`/users/${entry.actor.id}`} size="sm" dir="auto">
        {entry.actor.name}
      </Anchor>
      <Text size="xs" c="dimmed" dir="ltr" ta="start">
        {entry.actor.email}
      </Text>
    </>
  );
}

/** Who or what the row is about, by name: the people concerned, a pack's name, else its id. */
function Target({ entry }: { entry: Entry }) {
  const { t } = useTranslation();
  const { people, name } = entry.target;
  const typeKey = `audit.targetTypes.${entry.targetType}`;
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {i18n.exists(typeKey) ? t(typeKey) : entry.targetType}
      </Text>
      {entry.targetType === "tutoring_session" && entry.targetId ? (
        <Anchor component={Link} to={`/sessions/${entry.targetId}`} size="sm">
          {t("audit.openSession")}
        </Anchor>
      ) : null}
      {people.map((person) => (
        <div key={person.id}>
          <Anchor component={Link} to={`/users/${person.id}`} size="sm" dir="auto">
            {person.name}
          </Anchor>
          <Text size="xs" c="dimmed" dir="ltr" ta="start">
            {person.email}
          </Text>
        </div>
      ))}
      {name && (
        <Text size="sm" dir="auto">
          {name}
        </Text>
      )}
      {people.length === 0 && !name && entry.targetType !== "tutoring_session" && (
        <Text size="sm" ff="monospace" dir="ltr">
          {entry.targetId}
        </Text>
      )}
    </Stack>
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
