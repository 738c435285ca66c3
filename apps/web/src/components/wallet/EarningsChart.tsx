import type { RouterOutputs } from "@lectern/api/router";
import { Card, Group, SegmentedControl, Stack, Text, Title, VisuallyHidden } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../lib/format";
import { useCurrentUser } from "../../lib/session";
import { useTimeFormat } from "../../lib/tutoring";

type Chart = RouterOutputs["wallet"]["earningsByMonth"];

const WIDTH = 600;
const HEIGHT = 160;

/**
 * Earnings per month as SVG bars, one currency at a time (amounts in different currencies do not add
 * up). The bars are decoration for sighted readers (aria-hidden); the same numbers are in a table for
 * screen readers, and each bar carries a tooltip.
 */
export function EarningsChart({ chart }: { chart: Chart }) {
  const { t, i18n } = useTranslation();
  const me = useCurrentUser();
  const rtl = i18n.dir() === "rtl";
  const format = useFormat();
  const time = useTimeFormat(me.timezone);
  const [chosen, setChosen] = useState<string | null>(null);
  const series = chart.series.find((s) => s.currency === chosen) ?? chart.series[0];
  const slot = WIDTH / Math.max(1, chart.months.length);
  const most = Math.max(1, ...(series?.amountsMinor ?? []));

  return (
    <Card withBorder radius="md" padding="lg">
      <Stack gap="sm">
        <Title order={2} fz="h4">
          {t("wallet.chart.title")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("wallet.chart.intro", { zone: chart.timezone })}
        </Text>
        {!series ? (
          <Text c="dimmed">{t("wallet.chart.empty")}</Text>
        ) : (
          <>
            {chart.series.length > 1 && (
              <SegmentedControl
                aria-label={t("wallet.chart.currency")}
                value={series.currency}
                onChange={setChosen}
                data={chart.series.map((s) => s.currency)}
                w="fit-content"
              />
            )}
            <div aria-hidden>
              <svg
                viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
                preserveAspectRatio="none"
                width="100%"
                height={HEIGHT}
                role="presentation"
                style={{ display: "block" }}
              >
                {chart.months.map((month, i) => {
                  const amount = series.amountsMinor[i] ?? 0;
                  const height = Math.max(2, Math.round((amount / most) * (HEIGHT - 8)));
                  // Oldest on the reading side: mirrored in a right-to-left page, like the labels below.
                  const index = rtl ? chart.months.length - 1 - i : i;
                  return (
                    <rect
                      key={month}
                      x={index * slot + slot * 0.15}
                      y={HEIGHT - height}
                      width={slot * 0.7}
                      height={height}
                      fill={amount > 0 ? "var(--mantine-color-teal-6)" : "var(--mantine-color-gray-3)"}
                    >
                      <title>
                        {t("wallet.chart.barLabel", {
                          month: time.monthLong(month),
                          amount: format.money(amount, series.currency),
                        })}
                      </title>
                    </rect>
                  );
                })}
              </svg>
              {/* Labels in HTML, so they keep a readable size however narrow the chart gets. */}
              <Group gap={0} wrap="nowrap" mt={4}>
                {chart.months.map((month) => (
                  <Text key={month} size="xs" c="dimmed" ta="center" truncate="end" style={{ flex: 1, minWidth: 0 }}>
                    {time.monthShort(month)}
                  </Text>
                ))}
              </Group>
            </div>
            <VisuallyHidden>
              <table>
                <caption>{`${t("wallet.chart.title")} (${series.currency})`}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("wallet.chart.month")}</th>
                    <th scope="col">{t("wallet.chart.amount")}</th>
                  </tr>
                </thead>
                <tbody>
                  {chart.months.map((month, i) => (
                    <tr key={month}>
                      <th scope="row">{time.monthLong(month)}</th>
                      <td>{format.money(series.amountsMinor[i] ?? 0, series.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </VisuallyHidden>
          </>
        )}
      </Stack>
    </Card>
  );
}
