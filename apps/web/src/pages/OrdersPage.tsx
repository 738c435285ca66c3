import type { RouterOutputs } from "@lectern/api/router";
import { Anchor, Badge, Button, Group, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, SectionLoader } from "../components/Status";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

type Order = RouterOutputs["payments"]["orders"]["list"]["items"][number];

const PAGE_SIZE = 20;

const STATUS_COLORS = { pending: "blue", paid: "teal", failed: "red", expired: "gray", refunded: "grape" } as const;

/** The learner's orders, newest first, each paid one with its receipt. */
export function OrdersPage() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const orders = trpc.payments.orders.list.useQuery(
    { page, pageSize: PAGE_SIZE },
    { placeholderData: keepPreviousData },
  );
  return (
    <Stack gap="lg" maw={1040}>
      <Group justify="space-between" align="flex-end">
        <Stack gap={4}>
          <PageHeading>{t("checkout.orders.title")}</PageHeading>
          <Text c="dimmed" size="sm">
            {t("checkout.orders.intro")}
          </Text>
        </Stack>
        <Button component={Link} to="/credits/buy">
          {t("checkout.orders.buyMore")}
        </Button>
      </Group>
      {orders.isPending ? (
        <SectionLoader />
      ) : orders.isError ? (
        <LoadError error={orders.error} onRetry={() => void orders.refetch()} />
      ) : orders.data.items.length === 0 ? (
        <Text c="dimmed">{t("checkout.orders.none")}</Text>
      ) : (
        <>
          <OrderTable items={orders.data.items} busy={orders.isPlaceholderData} />
          <Pager total={orders.data.total} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
        </>
      )}
    </Stack>
  );
}

function OrderTable({ items, busy }: { items: Order[]; busy: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" striped aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("checkout.orders.date")}</Table.Th>
            <Table.Th>{t("checkout.orders.item")}</Table.Th>
            <Table.Th>{t("checkout.orders.amount")}</Table.Th>
            <Table.Th>{t("checkout.orders.status")}</Table.Th>
            <Table.Th>{t("checkout.orders.receipt")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((order) => {
            const review = order.underReview && order.status === "pending";
            return (
              <Table.Tr key={order.id}>
                <Table.Td>{format.dateTime(order.createdAt)}</Table.Td>
                <Table.Td>
                  <bdi>{order.description}</bdi>
                </Table.Td>
                <Table.Td>{format.money(order.amount, order.currency)}</Table.Td>
                <Table.Td>
                  <Badge color={review ? "yellow" : STATUS_COLORS[order.status]} variant="light">
                    {t(`checkout.orders.statuses.${review ? "review" : order.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {order.receiptNumber ? (
                    <Anchor component={Link} to={`/orders/${order.id}/receipt`}>
                      <bdi>{order.receiptNumber}</bdi>
                    </Anchor>
                  ) : order.status === "pending" && !review ? (
                    <Anchor component={Link} to={`/checkout/return?orderId=${order.id}`}>
                      {t("checkout.orders.statuses.pending")}
                    </Anchor>
                  ) : (
                    "—"
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
