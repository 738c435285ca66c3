import type { RouterOutputs } from "@lectern/api/router";
import { CURRENCIES, WALLET_ENTRY_KINDS, WALLET_POLICY, type WalletEntryKind } from "@lectern/api-contract";
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { keepPreviousData, useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { EarningsChart } from "../components/wallet/EarningsChart";
import { WithdrawEntry } from "../components/wallet/WithdrawEntry";
import { toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { addDaysToKey, startOfDay, useTimeFormat } from "../lib/tutoring";

type Balance = RouterOutputs["wallet"]["summary"][number];
type Entry = RouterOutputs["wallet"]["history"]["items"][number];

const PAGE_SIZE = 20;

/** A teacher's (or creator's) wallets: balances per currency, earnings per month, every movement, CSV. */
export function WalletPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="xl" maw={1040}>
      <Stack gap={4}>
        <PageHeading>{t("wallet.title")}</PageHeading>
        <Text c="dimmed" size="sm">
          {t("wallet.intro")}{" "}
          <Anchor component={Link} to="/teaching/earnings" underline="always">
            {t("wallet.earningsLink")}
          </Anchor>
        </Text>
      </Stack>
      <TeachersOnly>
        <Balances />
        <Chart />
        <History />
      </TeachersOnly>
    </Stack>
  );
}

function Balances() {
  const { t } = useTranslation();
  const summary = trpc.wallet.summary.useQuery();
  if (summary.isPending) return <SectionLoader />;
  if (summary.isError) return <LoadError error={summary.error} onRetry={() => void summary.refetch()} />;
  return (
    <Stack gap="sm">
      <Title order={2} fz="h3">
        {t("wallet.balances")}
      </Title>
      {summary.data.length === 0 ? (
        <Text c="dimmed" role="status">
          {t("wallet.none")}
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {summary.data.map((balance) => (
            <BalanceCard key={balance.currency} balance={balance} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function BalanceCard({ balance }: { balance: Balance }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-label={balance.currency}>
      <Stack gap="xs">
        <Text size="sm" fw={700} c="dimmed">
          {balance.currency}
        </Text>
        <div>
          <Text size="sm" c="dimmed">
            {t("wallet.available")}
          </Text>
          <Text fz={28} fw={700} lh={1.2}>
            {format.money(balance.availableMinor, balance.currency)}
          </Text>
          <Text size="xs" c="dimmed">
            {t("wallet.availableHint")}
          </Text>
        </div>
        <Group justify="space-between" gap="xs">
          <div>
            <Text size="sm" c="dimmed">
              {t("wallet.pending")}
            </Text>
            <Text fw={600}>{format.money(balance.pendingMinor, balance.currency)}</Text>
          </div>
          <div>
            <Text size="sm" c="dimmed">
              {t("wallet.earnedThisMonth")}
            </Text>
            <Text fw={600}>{format.money(balance.earnedThisMonthMinor, balance.currency)}</Text>
          </div>
        </Group>
        {/* H5: withdrawals mount their button or panel here. */}
        <WithdrawEntry currency={balance.currency} available={balance.availableMinor} />
      </Stack>
    </Card>
  );
}

function Chart() {
  const chart = trpc.wallet.earningsByMonth.useQuery({ months: 12 });
  if (chart.isPending) return <SectionLoader />;
  if (chart.isError) return <LoadError error={chart.error} onRetry={() => void chart.refetch()} />;
  return <EarningsChart chart={chart.data} />;
}

interface Filters {
  currency: string;
  kind: string;
  /** local calendar days, both included ("" for open) */
  fromDay: string;
  toDay: string;
}
const NO_FILTERS: Filters = { currency: "", kind: "", fromDay: "", toDay: "" };

/** The filters as the API takes them: days in the teacher's zone, `to` the start of the day after. */
function toInput(f: Filters, timeZone: string) {
  return {
    currency: (f.currency || undefined) as (typeof CURRENCIES)[number] | undefined,
    kind: (f.kind || undefined) as WalletEntryKind | undefined,
    from: f.fromDay ? startOfDay(f.fromDay, timeZone) : undefined,
    to: f.toDay ? startOfDay(addDaysToKey(f.toDay, 1), timeZone) : undefined,
  };
}

/** Hands the text to the browser as a file download. */
function saveFile(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function History() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const rangeError = filters.fromDay && filters.toDay && filters.toDay < filters.fromDay;
  const input = useMemo(() => toInput(filters, me.timezone), [filters, me.timezone]);
  const history = trpc.wallet.history.useQuery(
    { ...input, page, pageSize: PAGE_SIZE },
    { placeholderData: keepPreviousData, enabled: !rangeError },
  );
  const utils = trpc.useUtils();
  const [truncated, setTruncated] = useState(false);
  const download = useMutation({
    mutationFn: () => utils.wallet.csv.fetch(input),
    onSuccess: ({ filename, csv, truncated }) => {
      setTruncated(truncated);
      saveFile(filename, csv);
    },
  });
  const change = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <Title order={2} fz="h3">
          {t("wallet.history.title")}
        </Title>
        <Button
          variant="light"
          onClick={() => download.mutate()}
          loading={download.isPending}
          disabled={Boolean(rangeError)}
        >
          {t("wallet.history.download")}
        </Button>
      </Group>
      {download.isError && <FailureAlert message={toFailure(download.error, t).message} />}
      {truncated && (
        <Alert color="yellow" role="status">
          {t("wallet.history.truncated", { count: WALLET_POLICY.csvMaxRows })}
        </Alert>
      )}
      <Group component="fieldset" aria-label={t("wallet.history.filters")} gap="sm" align="flex-start" p={0} bd={0}>
        <NativeSelect
          label={t("wallet.history.currency")}
          value={filters.currency}
          onChange={(e) => change({ currency: e.currentTarget.value })}
          data={[{ value: "", label: t("wallet.history.all") }, ...CURRENCIES.map((c) => ({ value: c, label: c }))]}
          w={{ base: "100%", xs: 130 }}
        />
        <NativeSelect
          label={t("wallet.history.kind")}
          value={filters.kind}
          onChange={(e) => change({ kind: e.currentTarget.value })}
          data={[
            { value: "", label: t("wallet.history.all") },
            ...WALLET_ENTRY_KINDS.map((k) => ({ value: k, label: t(`wallet.kinds.${k}`) })),
          ]}
          w={{ base: "100%", xs: 220 }}
        />
        <TextInput
          type="date"
          label={t("wallet.history.from")}
          value={filters.fromDay}
          onChange={(e) => change({ fromDay: e.currentTarget.value })}
          w={{ base: "100%", xs: 170 }}
        />
        <TextInput
          type="date"
          label={t("wallet.history.to")}
          value={filters.toDay}
          min={filters.fromDay || undefined}
          onChange={(e) => change({ toDay: e.currentTarget.value })}
          error={rangeError ? t("wallet.history.toBeforeFrom") : undefined}
          w={{ base: "100%", xs: 170 }}
        />
        {Object.values(filters).some(Boolean) && (
          <Button variant="subtle" mt={25} onClick={() => change(NO_FILTERS)}>
            {t("wallet.history.clear")}
          </Button>
        )}
      </Group>
      {rangeError ? null : history.isPending ? (
        <SectionLoader />
      ) : history.isError ? (
        <LoadError error={history.error} onRetry={() => void history.refetch()} />
      ) : (
        <Stack gap="sm" aria-busy={history.isFetching}>
          {history.data.items.length === 0 ? (
            <Text c="dimmed" role="status">
              {t("wallet.history.empty")}
            </Text>
          ) : (
            <Entries entries={history.data.items} />
          )}
          <Pager total={history.data.total} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
        </Stack>
      )}
    </Stack>
  );
}

function Entries({ entries }: { entries: Entry[] }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("wallet.history.date")}</Table.Th>
            <Table.Th>{t("wallet.history.description")}</Table.Th>
            <Table.Th>{t("wallet.history.side")}</Table.Th>
            <Table.Th style={{ textAlign: "end" }}>{t("wallet.history.amount")}</Table.Th>
            <Table.Th style={{ textAlign: "end" }}>{t("wallet.history.balanceAfter")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry) => (
            <Table.Tr key={entry.id}>
              <Table.Td>{time.dateTime(entry.createdAt)}</Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {t(`wallet.kinds.${entry.kind}`)}
                </Text>
                <Text size="sm" c="dimmed" dir="auto">
                  {entry.description}
                </Text>
                {entry.reference?.type === "tutoring_session" && (
                  <Anchor component={Link} to={`/sessions/${entry.reference.id}`} size="sm">
                    {t("wallet.history.session")}
                  </Anchor>
                )}
                {entry.reference?.type === "withdrawal" && (
                  <Anchor component={Link} to="/wallet/withdrawals" size="sm">
                    {t("wallet.history.withdrawal")}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>{t(`wallet.sides.${entry.side}`)}</Table.Td>
              <Table.Td style={{ textAlign: "end" }} c={entry.amountMinor < 0 ? "red.8" : "teal.8"}>
                {entry.amountMinor > 0 ? "+" : ""}
                {format.money(entry.amountMinor, entry.currency)}
              </Table.Td>
              <Table.Td style={{ textAlign: "end" }}>{format.money(entry.balanceAfterMinor, entry.currency)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
