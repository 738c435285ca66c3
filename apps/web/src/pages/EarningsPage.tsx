import { Anchor, Card, Group, NativeSelect, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, PageLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { useFormat } from "../lib/format";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { dayKeyOf, startOfDay, useTimeFormat } from "../lib/tutoring";

const PAGE_SIZE = 20;
const PERIODS = ["all", "thisMonth", "lastMonth", "thisYear"] as const;
type Period = (typeof PERIODS)[number];

/** The first day of a month `offset` months from the one holding a local date. */
function monthStart(key: string, offset: number) {
  const [y = 1970, m = 1] = key.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1 + offset, 1));
  return date.toISOString().slice(0, 10);
}

/** A period as the [from, to) instants the API takes, months taken in the teacher's own zone. */
function periodRange(period: Period, timeZone: string): { from?: Date; to?: Date } {
  const today = dayKeyOf(new Date(), timeZone);
  switch (period) {
    case "thisMonth":
      return { from: startOfDay(monthStart(today, 0), timeZone) };
    case "lastMonth":
      return { from: startOfDay(monthStart(today, -1), timeZone), to: startOfDay(monthStart(today, 0), timeZone) };
    case "thisYear":
      return { from: startOfDay(`${today.slice(0, 4)}-01-01`, timeZone) };
    default:
      return {};
  }
}

/** What the teacher has earned: totals per currency for a period, the balance, and each session's pay. */
export function EarningsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={960}>
      <PageHeading>{t("earnings.title")}</PageHeading>
      <TeachersOnly>
        <Earnings />
      </TeachersOnly>
    </Stack>
  );
}

function Earnings() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const [period, setPeriod] = useState<Period>("all");
  const [page, setPage] = useState(1);
  const range = useMemo(() => periodRange(period, me.timezone), [period, me.timezone]);
  const earnings = trpc.tutoring.earnings.useQuery(
    { ...range, page, pageSize: PAGE_SIZE },
    { placeholderData: (previous) => previous },
  );

  return (
    <Stack gap="lg">
      <NativeSelect
        label={t("earnings.period")}
        value={period}
        onChange={(event) => {
          setPeriod(event.currentTarget.value as Period);
          setPage(1);
        }}
        data={PERIODS.map((p) => ({ value: p, label: t(`earnings.periods.${p}`) }))}
        maw={260}
      />
      {earnings.isPending ? (
        <PageLoader />
      ) : earnings.isError ? (
        <LoadError error={earnings.error} onRetry={() => void earnings.refetch()} />
      ) : (
        <Stack gap="lg" aria-busy={earnings.isFetching}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Card withBorder radius="md" padding="lg">
              <Title order={2} fz="h5" mb="xs">
                {t("earnings.totals")}
              </Title>
              {earnings.data.totals.length === 0 ? (
                <Text c="dimmed">{t("earnings.noTotals")}</Text>
              ) : (
                earnings.data.totals.map((total) => (
                  <Group key={total.currency} justify="space-between">
                    <Text fz="xl" fw={700}>
                      {format.money(total.totalMinor, total.currency)}
                    </Text>
                    <Text size="sm" c="dimmed">
                      {t("earnings.sessionsCount", { value: total.sessions })}
                    </Text>
                    {total.reversals > 0 && (
                      <Text size="sm" c="orange.8">
                        {t("earnings.reversalsCount", { value: total.reversals })}
                      </Text>
                    )}
                  </Group>
                ))
              )}
            </Card>
            <Card withBorder radius="md" padding="lg">
              <Title order={2} fz="h5" mb="xs">
                {t("earnings.balance")}
              </Title>
              {earnings.data.balances.length === 0 ? (
                <Text c="dimmed">{t("earnings.noBalance")}</Text>
              ) : (
                earnings.data.balances.map((balance) => (
                  <Text key={balance.currency} fz="xl" fw={700}>
                    {format.money(balance.balanceMinor, balance.currency)}
                  </Text>
                ))
              )}
              <Text size="xs" c="dimmed" mt={4}>
                {t("earnings.balanceHint")}
              </Text>
            </Card>
          </SimpleGrid>
          <Stack gap="sm">
            <Title order={2} fz="h4">
              {t("earnings.history")}
            </Title>
            {earnings.data.items.length === 0 ? (
              <Text c="dimmed" role="status">
                {t("earnings.none")}
              </Text>
            ) : (
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="sm">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("earnings.session")}</Table.Th>
                      <Table.Th>{t("earnings.learner")}</Table.Th>
                      <Table.Th>{t("earnings.length")}</Table.Th>
                      <Table.Th>{t("earnings.posted")}</Table.Th>
                      <Table.Th style={{ textAlign: "end" }}>{t("earnings.amount")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {earnings.data.items.map((item, index) => (
                      <Table.Tr key={`${item.sessionId}-${index}`}>
                        <Table.Td>
                          {item.sessionId && item.startsAt ? (
                            <Anchor component={Link} to={`/sessions/${item.sessionId}`}>
                              {time.dateTime(item.startsAt)}
                            </Anchor>
                          ) : (
                            t("common.notGiven")
                          )}
                        </Table.Td>
                        <Table.Td>{item.learnerName ?? t("common.notGiven")}</Table.Td>
                        <Table.Td>
                          {item.durationMinutes === null ? "" : format.duration(item.durationMinutes, "minute")}
                        </Table.Td>
                        <Table.Td>{time.dateTime(item.postedAt)}</Table.Td>
                        <Table.Td style={{ textAlign: "end" }}>
                          {format.money(item.amountMinor, item.currency)}
                          {item.reversal && (
                            <Text size="xs" c="orange.8">
                              {t("earnings.reversal")}
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Pager total={earnings.data.total} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
          </Stack>
        </Stack>
      )}
    </Stack>
  );
}
