import type { RouterOutputs } from "@lectern/api/router";
import { Alert, Badge, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Health = RouterOutputs["admin"]["ledger"]["health"];
type Check = NonNullable<Health["lastCheck"]>;
type Totals = Health["totals"][number];

/** Session credits are counted, money is shown in its currency. */
function useAmount() {
  const format = useFormat();
  return (amount: number, currency: string) =>
    currency === "CREDIT" ? format.number(amount) : format.money(amount, currency);
}

function LastCheck({ check }: { check: Check | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!check) return <Text c="dimmed">{t("health.never")}</Text>;
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <Badge color={check.ok ? "green" : "red"} variant="light" size="lg">
          {check.ok ? t("health.ok") : t("health.drift")}
        </Badge>
        <Text size="sm">{t("health.checkedAt", { time: format.dateTime(check.checkedAt) })}</Text>
      </Group>
      <Text size="sm">{t("health.driftedAccounts", { count: check.driftedAccounts })}</Text>
      <Text size="sm">{t("health.unbalancedTransactions", { count: check.unbalancedTransactions })}</Text>
      {check.drift.length > 0 && (
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("health.account")}</Table.Th>
                <Table.Th>{t("health.cached")}</Table.Th>
                <Table.Th>{t("health.entries")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {check.drift.map((d) => (
                <Table.Tr key={d.account_id}>
                  <Table.Td dir="ltr">{d.account_id}</Table.Td>
                  <Table.Td>{format.number(Number(d.balance))}</Table.Td>
                  <Table.Td>{format.number(Number(d.entries))}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {check.unbalanced.length > 0 && (
        <Table.ScrollContainer minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("health.transaction")}</Table.Th>
                <Table.Th>{t("health.currency")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {check.unbalanced.map((u) => (
                <Table.Tr key={`${u.transaction_id}-${u.currency}`}>
                  <Table.Td dir="ltr">{u.transaction_id}</Table.Td>
                  <Table.Td>{u.currency}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function CurrencyTotals({ totals }: { totals: Totals }) {
  const { t, i18n } = useTranslation();
  const amount = useAmount();
  const format = useFormat();
  const system = Object.entries(totals.system);
  const sum = totals.users + system.reduce((s, [, net]) => s + net, 0);
  const kindLabel = (kind: string) => (i18n.exists(`health.kinds.${kind}`) ? t(`health.kinds.${kind}`) : kind);
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="xs">
        {totals.currency === "CREDIT" ? t("health.credits") : format.currencyName(totals.currency)}
      </Title>
      <Table>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th scope="row">{t("health.users")}</Table.Th>
            <Table.Td>{amount(totals.users, totals.currency)}</Table.Td>
          </Table.Tr>
          {system.map(([kind, net]) => (
            <Table.Tr key={kind}>
              <Table.Th scope="row">{kindLabel(kind)}</Table.Th>
              <Table.Td>{amount(net, totals.currency)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th scope="row">{t("health.balanced")}</Table.Th>
            <Table.Td>
              <Badge color={sum === 0 ? "green" : "red"} variant="light">
                {sum === 0 ? t("health.yes") : t("health.no")}
              </Badge>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

export function HealthPage() {
  const { t } = useTranslation();
  usePageTitle(t("health.title"));
  const health = trpc.admin.ledger.health.useQuery();
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("health.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("health.intro")}
        </Text>
      </div>
      <QueryState query={health}>
        {(data) => (
          <Stack>
            <Paper withBorder p="md">
              <Title order={2} size="h3" mb="xs">
                {t("health.lastCheck")}
              </Title>
              <LastCheck check={data.lastCheck} />
            </Paper>
            <div>
              <Title order={2} size="h3">
                {t("health.totals")}
              </Title>
              <Text c="dimmed" size="sm">
                {t("health.totalsIntro")}
              </Text>
            </div>
            {data.totals.length === 0 ? (
              <Alert color="gray">{t("health.noTotals")}</Alert>
            ) : (
              data.totals.map((totals) => <CurrencyTotals key={totals.currency} totals={totals} />)
            )}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
