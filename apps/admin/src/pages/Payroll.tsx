import type { RouterOutputs } from "@lectern/api/router";
import { PayrollRangeInput } from "@lectern/api-contract";
import { Anchor, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData, skipToken, useMutation } from "@tanstack/react-query";
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { QueryState } from "../components/QueryState.tsx";
import { notifyError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

dayjs.extend(utc);
dayjs.extend(timezone);

type Report = RouterOutputs["admin"]["payroll"]["report"];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A calendar day as the URL and the pickers hold it, or null when it is not one. */
const readDay = (value: string | null) =>
  value && DAY.test(value) && dayjs(value).format("YYYY-MM-DD") === value ? value : null;

/**
 * The URL holds calendar days, both included; the report takes instants, `to` excluded: from the
 * start of `from` to the start of the day after `to`, in the admin's time zone. Without days in the
 * URL it is this month.
 */
function readRange(params: URLSearchParams, timeZone: string | undefined) {
  const today = dayjs().tz(timeZone);
  const fromDay = readDay(params.get("from")) ?? today.startOf("month").format("YYYY-MM-DD");
  const toDay = readDay(params.get("to")) ?? today.endOf("month").format("YYYY-MM-DD");
  const dayAfter = dayjs(toDay).add(1, "day").format("YYYY-MM-DD");
  const range = PayrollRangeInput.safeParse({
    from: dayjs.tz(fromDay, timeZone).toDate(),
    to: dayjs.tz(dayAfter, timeZone).toDate(),
  });
  return { fromDay, toDay, range: range.success ? range.data : null };
}

/** Hands the text to the browser as a file download. */
function saveFile(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function PayrollPage() {
  const { t } = useTranslation();
  usePageTitle(t("payroll.title"));
  const format = useFormat();
  const { params, update } = useFilters();
  const { fromDay, toDay, range } = readRange(params, format.timeZone);
  const utils = trpc.useUtils();
  const report = trpc.admin.payroll.report.useQuery(range ?? skipToken, { placeholderData: keepPreviousData });
  const download = useMutation({
    mutationFn: (input: PayrollRangeInput) => utils.admin.payroll.csv.fetch(input),
    onSuccess: ({ filename, csv }) => saveFile(filename, csv, "text/csv;charset=utf-8"),
    onError: notifyError,
  });

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("payroll.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("payroll.intro")}
        </Text>
      </div>
      <Group align="flex-end">
        <DatePickerInput label={t("payroll.from")} value={fromDay} onChange={(from) => update({ from })} miw={200} />
        <DatePickerInput
          label={t("payroll.to")}
          value={toDay}
          onChange={(to) => update({ to })}
          minDate={fromDay}
          error={range ? undefined : t("validation.afterStart")}
          miw={200}
        />
        <Button
          variant="default"
          disabled={!range}
          loading={download.isPending}
          onClick={() => range && download.mutate(range)}
        >
          {t("payroll.download")}
        </Button>
      </Group>
      {range && (
        <Text size="sm" c="dimmed">
          {t("payroll.rangeNote", {
            from: format.dateTime(range.from),
            to: format.dateTime(range.to),
            timeZone: format.timeZone,
          })}
        </Text>
      )}
      {range && (
        <QueryState query={report}>
          {(data) => (
            <>
              <Rows rows={data.rows} />
              <Totals totals={data.totals} />
            </>
          )}
        </QueryState>
      )}
    </Stack>
  );
}

function Rows({ rows }: { rows: Report["rows"] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (rows.length === 0)
    return (
      <Text c="dimmed" ta="center">
        {t("payroll.empty")}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("payroll.teacher")}</Table.Th>
            <Table.Th>{t("payroll.currency")}</Table.Th>
            <Table.Th>{t("payroll.sessions")}</Table.Th>
            <Table.Th>{t("payroll.hours")}</Table.Th>
            <Table.Th>{t("payroll.bookedRates")}</Table.Th>
            <Table.Th>{t("payroll.currentRate")}</Table.Th>
            <Table.Th>{t("payroll.reversals")}</Table.Th>
            <Table.Th>{t("payroll.owed")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={`${row.teacherId}-${row.currency}`}>
              <Table.Td>
                <Anchor component={Link} to={`/users/${row.teacherId}`} size="sm" dir="auto">
                  {row.name}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {row.email}
                </Text>
              </Table.Td>
              <Table.Td>{row.currency}</Table.Td>
              <Table.Td>{format.number(row.sessions)}</Table.Td>
              <Table.Td>{format.number(row.hours)}</Table.Td>
              <Table.Td>
                {row.bookedRatesMinor.length === 0 ? (
                  "—"
                ) : (
                  <Stack gap={2}>
                    {row.bookedRatesMinor.map((rate) => (
                      <Text key={rate} size="sm" style={{ whiteSpace: "nowrap" }}>
                        {format.money(rate, row.currency)}
                      </Text>
                    ))}
                  </Stack>
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {row.currentRateMinor !== null && row.currentRateCurrency
                  ? format.money(row.currentRateMinor, row.currentRateCurrency)
                  : "—"}
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {row.reversals === 0
                  ? "—"
                  : t("payroll.reversalsValue", {
                      sessions: format.number(row.reversals),
                      amount: format.money(row.reversedMinor, row.currency),
                    })}
              </Table.Td>
              <Table.Td fw={700} style={{ whiteSpace: "nowrap" }}>
                {format.money(row.owedMinor, row.currency)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Totals({ totals }: { totals: Report["totals"] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (totals.length === 0) return null;
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("payroll.totals")}
        </Title>
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("payroll.currency")}</Table.Th>
                <Table.Th>{t("payroll.teachers")}</Table.Th>
                <Table.Th>{t("payroll.sessions")}</Table.Th>
                <Table.Th>{t("payroll.hours")}</Table.Th>
                <Table.Th>{t("payroll.owed")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {totals.map((total) => (
                <Table.Tr key={total.currency}>
                  <Table.Td>{total.currency}</Table.Td>
                  <Table.Td>{format.number(total.teachers)}</Table.Td>
                  <Table.Td>{format.number(total.sessions)}</Table.Td>
                  <Table.Td>{format.number(total.hours)}</Table.Td>
                  <Table.Td fw={700} style={{ whiteSpace: "nowrap" }}>
                    {format.money(total.owedMinor, total.currency)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
    </Paper>
  );
}
