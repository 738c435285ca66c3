import type { RouterOutputs } from "@lectern/api/router";
import { AdminListSessionsInput, SESSION_STATUSES } from "@lectern/api-contract";
import { Anchor, Button, Group, Select, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { CreditBadge, StatusBadge } from "../components/sessions/badges.tsx";
import { dayOf, readDay, startOfDay, startOfNextDay } from "../components/sessions/time.ts";
import { UserPicker } from "../components/sessions/UserPicker.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Session = RouterOutputs["admin"]["sessions"]["list"]["items"][number];

/**
 * The URL holds people's ids and calendar days (both included); the query wants instants, from the
 * start of `from` to the start of the day after `to` in the admin's zone. Anything malformed there
 * falls back to no filter.
 */
function readInput(params: URLSearchParams, page: number, timeZone: string | undefined): AdminListSessionsInput {
  const from = readDay(params.get("from"));
  const to = readDay(params.get("to"));
  const parsed = AdminListSessionsInput.safeParse({
    teacherId: params.get("teacher") || undefined,
    learnerId: params.get("learner") || undefined,
    from: from ? startOfDay(from, timeZone) : undefined,
    to: to ? startOfNextDay(to, timeZone) : undefined,
    status: params.get("status") || undefined,
    query: params.get("q") ?? "",
    page,
  });
  return parsed.success ? parsed.data : AdminListSessionsInput.parse({});
}

export function SessionsPage() {
  const { t } = useTranslation();
  usePageTitle(t("sessions.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const input = readInput(params, page, format.timeZone);
  const sessions = trpc.admin.sessions.list.useQuery(input, { placeholderData: keepPreviousData });
  // A new session starts with the people the list is filtered by.
  const prefill = new URLSearchParams();
  if (input.learnerId) prefill.set("learner", input.learnerId);
  if (input.teacherId) prefill.set("teacher", input.teacherId);

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {t("sessions.title")}
          </Title>
          <Text c="dimmed" size="sm">
            {t("sessions.intro")}
          </Text>
        </div>
        <Button component={Link} to={`/sessions/new${prefill.size > 0 ? `?${prefill}` : ""}`}>
          {t("sessions.new")}
        </Button>
      </Group>
      <Group align="flex-end">
        <UserPicker
          userRole="teacher"
          label={t("sessions.teacher")}
          placeholder={t("sessions.anyTeacher")}
          value={input.teacherId ?? null}
          onChange={(teacher) => update({ teacher })}
          w={220}
        />
        <UserPicker
          userRole="learner"
          label={t("sessions.learner")}
          placeholder={t("sessions.anyLearner")}
          value={input.learnerId ?? null}
          onChange={(learner) => update({ learner })}
          w={220}
        />
        <DateRangeFilter
          from={readDay(params.get("from"))}
          to={readDay(params.get("to"))}
          onChange={([from, to]) => update({ from, to })}
        />
        <Select
          label={t("sessions.status")}
          placeholder={t("sessions.allStatuses")}
          data={SESSION_STATUSES.map((status) => ({ value: status, label: t(`sessions.statuses.${status}`) }))}
          value={input.status ?? null}
          onChange={(status) => update({ status })}
          clearable
          w={170}
        />
        <FilterInput
          label={t("sessions.search")}
          placeholder={t("sessions.searchPlaceholder")}
          value={input.query}
          onChange={(q) => update({ q })}
          flex={1}
          miw={220}
        />
      </Group>
      <QueryState query={sessions}>
        {({ items, total, pageSize }) => (
          <>
            {items.length > 0 && <SessionsTable sessions={items} />}
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("sessions.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

function SessionsTable({ sessions }: { sessions: Session[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("sessions.startsAt")}</Table.Th>
            <Table.Th>{t("sessions.teacher")}</Table.Th>
            <Table.Th>{t("sessions.learner")}</Table.Th>
            <Table.Th>{t("sessions.length")}</Table.Th>
            <Table.Th>{t("sessions.status")}</Table.Th>
            <Table.Th>{t("sessions.credit")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((session) => (
            <Table.Tr
              key={session.id}
              // The whole row opens the session; the link in its first cell is the keyboard's way in.
              onClick={(event) => {
                if (!(event.target instanceof Element && event.target.closest("a")))
                  navigate(`/sessions/${session.id}`);
              }}
              style={{ cursor: "pointer" }}
            >
              <Table.Td>
                <Anchor component={Link} to={`/sessions/${session.id}`} size="sm" style={{ whiteSpace: "nowrap" }}>
                  {format.dateTime(session.startsAt)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Person person={session.teacher} />
              </Table.Td>
              <Table.Td>
                <Person person={session.learner} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {t("common.minutes", { minutes: format.number(session.durationMinutes) })}
              </Table.Td>
              <Table.Td>
                <StatusBadge status={session.status} />
              </Table.Td>
              <Table.Td>
                <CreditBadge outcome={session.creditOutcome} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Person({ person }: { person: { name: string; email: string } }) {
  return (
    <>
      <Text size="sm" dir="auto">
        {person.name}
      </Text>
      <Text size="xs" c="dimmed">
        {person.email}
      </Text>
    </>
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
  const format = useFormat();
  const [range, setRange] = useState<DayRange>([from, to]);
  // Days in the admin's language, as the rest of the console shows dates.
  const day = (value: string | Date | null) => (value ? format.date(startOfDay(dayOf(value), format.timeZone)) : "");
  useEffect(() => setRange([from, to]), [from, to]);
  return (
    <DatePickerInput
      type="range"
      label={t("sessions.dates")}
      placeholder={t("sessions.anyTime")}
      value={range}
      onChange={(next) => {
        setRange(next);
        onChange(next);
      }}
      valueFormatter={({ date }) => {
        const [start = null, end = null] = Array.isArray(date) ? date : [date];
        return start ? `${day(start)} – ${end ? day(end) : "…"}` : "";
      }}
      allowSingleDateInRange
      clearable
      miw={240}
    />
  );
}
