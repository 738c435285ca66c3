import type { RouterOutputs } from "@lectern/api/router";
import { REVENUE_MAX_MONTHS, RevenueInput } from "@lectern/api-contract";
import { Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { MonthPickerInput } from "@mantine/dates";
import { keepPreviousData } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type CurrencyRevenue = RouterOutputs["admin"]["orders"]["revenue"]["currencies"][number];

/** "2026-03" → the first of that month, UTC; anything else → null. */
function monthStart(value: string | null): Date | null {
  const match = value ? /^(\d{4})-(\d{2})$/.exec(value) : null;
  if (!match) return null;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? new Date(Date.UTC(Number(match[1]), month - 1, 1)) : null;
}
const monthKey = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
/** The picker works in local dates ("YYYY-MM-DD" strings); the URL keeps "YYYY-MM". */
const pickerValue = (d: Date) => `${monthKey(d)}-01`;

/** The months in the URL, or the last twelve up to this one. */
function readRange(params: URLSearchParams) {
  const now = new Date();
  const to = monthStart(params.get("to")) ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = monthStart(params.get("from")) ?? new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1));
  const parsed = RevenueInput.safeParse({ from, to });
  return parsed.success ? parsed.data : { from: new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1)), to };
}

export function RevenuePage() {
  const { t } = useTranslation();
  usePageTitle(t("revenue.title"));
  const { params, update } = useFilters();
  const range = readRange(params);
  const revenue = trpc.admin.orders.revenue.useQuery(range, { placeholderData: keepPreviousData });
  const maxTo = new Date(Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth() + REVENUE_MAX_MONTHS - 1, 1));
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("revenue.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("revenue.intro")}
        </Text>
      </div>
      <Group align="flex-end">
        <MonthPickerInput
          label={t("revenue.from")}
          value={pickerValue(range.from)}
          onChange={(value) => value && update({ from: value.slice(0, 7) })}
          maxDate={pickerValue(range.to)}
          miw={170}
        />
        <MonthPickerInput
          label={t("revenue.to")}
          value={pickerValue(range.to)}
          onChange={(value) => value && update({ to: value.slice(0, 7) })}
          minDate={pickerValue(range.from)}
          maxDate={pickerValue(maxTo)}
          miw={170}
        />
      </Group>
      <QueryState query={revenue}>
        {({ currencies }) =>
          currencies.length === 0 ? (
            <Text c="dimmed">{t("revenue.empty")}</Text>
          ) : (
            <Stack>
              {currencies.map((c) => (
                <CurrencyCard key={c.currency} revenue={c} />
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  );
}

function CurrencyCard({ revenue }: { revenue: CurrencyRevenue }) {
  const { t } = useTranslation();
  const format = useFormat();
  const money = (amount: number) => format.money(amount, revenue.currency);
  return (
    <Card withBorder>
      <Stack>
        <Title order={2} size="h4">
          {format.currencyName(revenue.currency)} ({revenue.currency})
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 3 }}>
          <Total label={t("revenue.earned")} value={money(revenue.total.earned)} />
          <Total label={t("revenue.refunded")} value={money(revenue.total.refunded)} />
          <Total label={t("revenue.net")} value={money(revenue.total.net)} strong />
        </SimpleGrid>
        <MonthlyChart revenue={revenue} />
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("revenue.month")}</Table.Th>
                <Table.Th>{t("revenue.earned")}</Table.Th>
                <Table.Th>{t("revenue.refunded")}</Table.Th>
                <Table.Th>{t("revenue.net")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {revenue.months.map((m) => (
                <Table.Tr key={m.month}>
                  <Table.Td>
                    <MonthName month={m.month} />
                  </Table.Td>
                  <Table.Td>{money(m.earned)}</Table.Td>
                  <Table.Td>{money(m.refunded)}</Table.Td>
                  <Table.Td fw={600}>{money(m.net)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Card>
  );
}

function Total({ label, value, strong }: { label: string; value: string; strong?: boolean }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={strong ? 700 : 500}>
        {value}
      </Text>
    </div>
  );
}

function useMonthFormat(style: "short" | "long") {
  const { i18n } = useTranslation();
  return useMemo(
    () => new Intl.DateTimeFormat(i18n.language, { month: style, year: "numeric", timeZone: "UTC" }),
    [i18n.language, style],
  );
}

function MonthName({ month }: { month: string }) {
  const names = useMonthFormat("long");
  return <>{names.format(monthStart(month) ?? new Date(Number.NaN))}</>;
}

const CHART = { width: 640, height: 200, gap: 6, label: 34 };

/**
 * Each month's sales (up, teal) and refunds (down, red) as bars around one axis: a hand-drawn SVG,
 * no chart library for one picture. Right to left in Arabic. The table under it carries the same
 * figures for screen readers.
 */
function MonthlyChart({ revenue }: { revenue: CurrencyRevenue }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const monthNames = useMonthFormat("short");
  const axis = useMemo(
    () => ({
      month: new Intl.DateTimeFormat(i18n.language, { month: "short", timeZone: "UTC" }),
      year: new Intl.DateTimeFormat(i18n.language, { year: "numeric", timeZone: "UTC" }),
    }),
    [i18n.language],
  );
  const rtl = i18n.dir(i18n.language) === "rtl";
  const months = revenue.months;
  const up = Math.max(0, ...months.map((m) => m.earned));
  const down = Math.max(0, ...months.map((m) => m.refunded));
  const span = up + down || 1;
  const plot = CHART.height - CHART.label;
  const zero = (up / span) * plot;
  const slot = CHART.width / Math.max(months.length, 1);
  const barWidth = Math.max(slot - CHART.gap, 1);
  const height = (amount: number) => (amount === 0 ? 0 : Math.max((amount / span) * plot, 1));
  return (
    <svg
      viewBox={`0 0 ${CHART.width} ${CHART.height}`}
      width="100%"
      role="img"
      aria-label={t("revenue.chart", { currency: revenue.currency })}
      style={{ maxHeight: 240 }}
    >
      {months.map((m, i) => {
        const x = (rtl ? months.length - 1 - i : i) * slot + CHART.gap / 2;
        const date = monthStart(m.month) ?? new Date(Number.NaN);
        const label = monthNames.format(date);
        const summary = `${label}: ${t("revenue.earned")} ${format.money(m.earned, revenue.currency)}, ${t("revenue.refunded")} ${format.money(m.refunded, revenue.currency)}`;
        return (
          <g key={m.month}>
            <title>{summary}</title>
            <rect
              x={x}
              y={zero - height(m.earned)}
              width={barWidth}
              height={height(m.earned)}
              fill="var(--mantine-color-teal-6)"
            />
            <rect x={x} y={zero} width={barWidth} height={height(m.refunded)} fill="var(--mantine-color-red-6)" />
            <text
              x={x + barWidth / 2}
              y={CHART.height - 18}
              textAnchor="middle"
              fontSize={months.length > 18 ? 9 : 12}
              fill="var(--mantine-color-dimmed)"
            >
              {axis.month.format(date)}
            </text>
            {(i === 0 || date.getUTCMonth() === 0) && (
              <text
                x={x + barWidth / 2}
                y={CHART.height - 4}
                textAnchor="middle"
                fontSize={months.length > 18 ? 9 : 11}
                fill="var(--mantine-color-dimmed)"
              >
                {axis.year.format(date)}
              </text>
            )}
          </g>
        );
      })}
      <line x1={0} x2={CHART.width} y1={zero} y2={zero} stroke="var(--mantine-color-gray-5)" />
    </svg>
  );
}
