import type { RouterOutputs } from "@lectern/api/router";
import {
  ADMIN_ORDER_PROVIDERS,
  ADMIN_ORDER_STATUSES,
  CURRENCIES,
  formatReceiptNumber,
  ListAdminOrdersInput,
} from "@lectern/api-contract";
import { Anchor, Badge, Card, Group, type MantineColor, Select, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData } from "@tanstack/react-query";
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { oneOf, useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

dayjs.extend(utc);
dayjs.extend(timezone);

type OrderRow = RouterOutputs["admin"]["orders"]["list"]["items"][number];
type OrderStatus = (typeof ADMIN_ORDER_STATUSES)[number];

const STATUS_COLORS: Record<OrderStatus, MantineColor> = {
  pending: "blue",
  paid: "green",
  failed: "red",
  expired: "gray",
  refunded: "orange",
};

/** The order's status, and what else an admin should see at a glance: a flagged payment, a partial refund. */
export function OrderBadges({
  order,
}: {
  order: Pick<OrderRow, "status" | "flagReason" | "refundedAmount" | "amount">;
}) {
  const { t } = useTranslation();
  return (
    <Group gap={4}>
      <Badge color={STATUS_COLORS[order.status]} variant="light">
        {t(`orders.statuses.${order.status}`)}
      </Badge>
      {order.flagReason && order.status !== "paid" && order.status !== "refunded" && (
        <Badge color="red">{t("orders.flagged")}</Badge>
      )}
      {order.refundedAmount > 0 && order.refundedAmount < order.amount && (
        <Badge color="orange" variant="outline">
          {t("orders.partlyRefunded")}
        </Badge>
      )}
    </Group>
  );
}

/** The URL holds calendar days; the query takes instants: from the start of `from` to the end of `to`, in the admin's zone. */
function readInput(params: URLSearchParams, page: number, timeZone: string | undefined): ListAdminOrdersInput {
  const from = params.get("from");
  const to = params.get("to");
  const parsed = ListAdminOrdersInput.safeParse({
    query: params.get("q") ?? "",
    status: oneOf(ADMIN_ORDER_STATUSES, params.get("status")),
    provider: oneOf(ADMIN_ORDER_PROVIDERS, params.get("provider")),
    currency: oneOf(CURRENCIES, params.get("currency")),
    from: from ? dayjs.tz(from, timeZone).toDate() : undefined,
    to: to ? dayjs.tz(to, timeZone).add(1, "day").toDate() : undefined,
    page,
  });
  return parsed.success ? parsed.data : ListAdminOrdersInput.parse({});
}

export function OrdersPage() {
  const { t } = useTranslation();
  usePageTitle(t("orders.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const orders = trpc.admin.orders.list.useQuery(readInput(params, page, format.timeZone), {
    placeholderData: keepPreviousData,
  });
  const receipt = (order: OrderRow) => (order.receiptNumber ? formatReceiptNumber(order.receiptNumber) : "—");

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("orders.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("orders.intro")}
        </Text>
      </div>
      <Group align="flex-end">
        <FilterInput
          label={t("orders.search")}
          placeholder={t("orders.searchPlaceholder")}
          value={params.get("q") ?? ""}
          onChange={(q) => update({ q })}
          miw={260}
        />
        <Select
          label={t("orders.status")}
          placeholder={t("orders.anyStatus")}
          data={ADMIN_ORDER_STATUSES.map((status) => ({ value: status, label: t(`orders.statuses.${status}`) }))}
          value={params.get("status")}
          onChange={(status) => update({ status })}
          clearable
          w={170}
        />
        <Select
          label={t("orders.provider")}
          placeholder={t("orders.anyProvider")}
          data={ADMIN_ORDER_PROVIDERS.map((provider) => ({
            value: provider,
            label: t(`orders.providers.${provider}`),
          }))}
          value={params.get("provider")}
          onChange={(provider) => update({ provider })}
          clearable
          w={170}
        />
        <Select
          label={t("orders.currency")}
          placeholder={t("orders.anyCurrency")}
          data={CURRENCIES.map((currency) => ({ value: currency, label: currency }))}
          value={params.get("currency")}
          onChange={(currency) => update({ currency })}
          clearable
          w={140}
        />
        <DateRangeFilter
          from={params.get("from")}
          to={params.get("to")}
          onChange={([from, to]) => update({ from, to })}
        />
      </Group>
      <QueryState query={orders}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={860} visibleFrom="sm">
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("orders.created")}</Table.Th>
                    <Table.Th>{t("orders.buyer")}</Table.Th>
                    <Table.Th>{t("orders.item")}</Table.Th>
                    <Table.Th>{t("orders.amount")}</Table.Th>
                    <Table.Th>{t("orders.status")}</Table.Th>
                    <Table.Th>{t("orders.provider")}</Table.Th>
                    <Table.Th>{t("orders.receipt")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((order) => (
                    <Table.Tr key={order.id}>
                      <Table.Td>{format.dateTime(order.createdAt)}</Table.Td>
                      <Table.Td>
                        <Text size="sm" dir="auto">
                          {order.buyerName}
                        </Text>
                        <Text size="xs" c="dimmed" dir="ltr" ta="start">
                          {order.buyerEmail}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/orders/${order.id}`}
                          size="sm"
                          dir="auto"
                          aria-label={`${t("orders.open")}: ${order.description}, ${order.buyerName}`}
                        >
                          {order.description}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{format.money(order.amount, order.currency)}</Table.Td>
                      <Table.Td>
                        <OrderBadges order={order} />
                      </Table.Td>
                      <Table.Td>{t(`orders.providers.${order.provider}`, order.provider)}</Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace" dir="ltr" ta="start">
                          {receipt(order)}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {/* Phones: one card per order instead of a wide table. */}
            <Stack hiddenFrom="sm" gap="sm">
              {items.map((order) => (
                <Card key={order.id} withBorder padding="sm">
                  <Stack gap={4}>
                    <Group justify="space-between" wrap="nowrap" align="flex-start">
                      <Anchor component={Link} to={`/orders/${order.id}`} fw={600} dir="auto">
                        {order.description}
                      </Anchor>
                      <Text fw={600}>{format.money(order.amount, order.currency)}</Text>
                    </Group>
                    <Text size="sm" dir="auto">
                      {order.buyerName} · <span dir="ltr">{order.buyerEmail}</span>
                    </Text>
                    <OrderBadges order={order} />
                    <Text size="sm" c="dimmed">
                      {format.dateTime(order.createdAt)} · {t(`orders.providers.${order.provider}`, order.provider)} ·{" "}
                      <span dir="ltr">{receipt(order)}</span>
                    </Text>
                  </Stack>
                </Card>
              ))}
            </Stack>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("orders.empty")}
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
      label={t("orders.dates")}
      placeholder={t("orders.anyTime")}
      value={range}
      onChange={(next) => {
        setRange(next);
        onChange(next);
      }}
      allowSingleDateInRange
      clearable
      miw={220}
    />
  );
}
