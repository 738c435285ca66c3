import type { RouterOutputs } from "@lectern/api/router";
import { formatReceiptNumber, RefundOrderInput } from "@lectern/api-contract";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  type MantineColor,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { QueryState } from "../components/QueryState.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formResolver, notifyError, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";
import { OrderBadges } from "./Orders.tsx";

type Detail = RouterOutputs["admin"]["orders"]["get"];
type RefundStatus = Detail["refunds"][number]["status"];
type EventStatus = Detail["events"][number]["status"];

const REFUND_COLORS: Record<RefundStatus, MantineColor> = { requested: "blue", succeeded: "green", failed: "red" };
const EVENT_COLORS: Record<EventStatus, MantineColor> = { received: "blue", processed: "green", failed: "red" };

/** While a refund waits for the provider, the page asks again every few seconds. */
const POLL_MS = 2000;

export function OrderDetailPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation();
  const order = trpc.admin.orders.get.useQuery(
    { orderId: id },
    { refetchInterval: (query) => (query.state.data?.refunds.some((r) => r.status === "requested") ? POLL_MS : false) },
  );
  const receipt = order.data?.order.receiptNumber;
  usePageTitle(
    order.data
      ? t("orders.detailTitle", { receipt: receipt ? formatReceiptNumber(receipt) : t("orders.noReceipt") })
      : t("orders.title"),
  );
  return (
    <Stack>
      <Anchor component={Link} to="/orders" size="sm">
        {t("orders.back")}
      </Anchor>
      <QueryState query={order}>{(detail) => <OrderView detail={detail} />}</QueryState>
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function OrderView({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { order, buyer, refundable } = detail;
  const [refunding, refundModal] = useDisclosure();
  const money = (amount: number) => format.money(amount, order.currency);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {t("orders.detailTitle", {
              receipt: order.receiptNumber ? formatReceiptNumber(order.receiptNumber) : t("orders.noReceipt"),
            })}
          </Title>
          <Text dir="auto">{order.description}</Text>
        </div>
        <OrderBadges order={order} />
      </Group>
      {order.flagReason && order.status !== "paid" && order.status !== "refunded" && (
        <Alert color="red" title={t("orders.flagTitle")}>
          {t("orders.flagText", { reason: order.flagReason })}
        </Alert>
      )}
      <Card withBorder>
        <Stack>
          <Title order={2} size="h4">
            {t("orders.details")}
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            <Field label={t("orders.buyer")}>
              <Anchor component={Link} to={`/users/${buyer.id}`} dir="auto">
                {buyer.name}
              </Anchor>
              <Text size="xs" c="dimmed" dir="ltr" ta="start">
                {buyer.email}
              </Text>
            </Field>
            <Field label={t("orders.amount")}>{money(order.amount)}</Field>
            {order.taxAmount > 0 && <Field label={t("orders.tax")}>{money(order.taxAmount)}</Field>}
            <Field label={t("orders.refunded")}>{money(order.refundedAmount)}</Field>
            {order.credits !== null && (
              <Field label={t("orders.credits")}>
                {t("orders.creditsValue", {
                  count: order.credits,
                  minutes: order.sessionMinutes,
                  days: order.validityDays,
                })}
              </Field>
            )}
            <Field label={t("orders.provider")}>{t(`orders.providers.${order.provider}`, order.provider)}</Field>
            <Field label={t("orders.providerRef")}>
              <Code style={{ overflowWrap: "anywhere" }}>{order.providerRef ?? "—"}</Code>
            </Field>
            <Field label={t("orders.paymentRef")}>
              <Code style={{ overflowWrap: "anywhere" }}>{order.paymentRef ?? "—"}</Code>
            </Field>
            <Field label={t("orders.created")}>{format.dateTime(order.createdAt)}</Field>
            {order.paidAt ? (
              <Field label={t("orders.paidAt")}>{format.dateTime(order.paidAt)}</Field>
            ) : (
              <Field label={t("orders.expiresAt")}>{format.dateTime(order.expiresAt)}</Field>
            )}
          </SimpleGrid>
          <Group>
            {refundable.inFlight ? (
              <Text size="sm" c="blue">
                {t("orders.refundInFlight")}
              </Text>
            ) : refundable.amount > 0 ? (
              <Button color="red" variant="light" onClick={refundModal.open}>
                {t("orders.refund")}
              </Button>
            ) : order.status === "paid" ? (
              <Text size="sm" c="dimmed">
                {t("orders.refundNothing")}
              </Text>
            ) : null}
          </Group>
        </Stack>
      </Card>
      <RefundModal detail={detail} opened={refunding} onClose={refundModal.close} />
      <Refunds detail={detail} />
      <Events detail={detail} />
      <Ledger detail={detail} />
    </Stack>
  );
}

const RefundReason = RefundOrderInput.pick({ reason: true });

/** Shows what the refund will pay back and take (computed by the server) before the admin confirms it. */
function RefundModal({ detail, opened, onClose }: { detail: Detail; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const { order, buyer, refundable } = detail;
  const amount = format.money(refundable.amount, order.currency);
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(RefundReason) });
  const close = () => {
    form.reset();
    onClose();
  };
  const refund = trpc.admin.orders.refund.useMutation({
    onSuccess: (result) => {
      void utils.admin.orders.get.invalidate({ orderId: order.id });
      void utils.admin.orders.list.invalidate();
      void utils.admin.audit.list.invalidate();
      notifySuccess(t("orders.refundRequested", { amount: format.money(result.amount, result.currency) }));
      close();
    },
    onError: (error) =>
      showFormError(error, form, {
        notify: (failure) => {
          close();
          void utils.admin.orders.get.invalidate({ orderId: order.id });
          notifyError(failure);
        },
      }),
  });
  return (
    <ReasonModal
      opened={opened}
      onClose={close}
      title={t("orders.refundTitle")}
      onSubmit={form.onSubmit(({ reason }) => refund.mutate({ orderId: order.id, reason }))}
      label={t("orders.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("orders.keep")}
      confirmLabel={t("orders.confirmRefund", { amount })}
      color="red"
      loading={refund.isPending}
    >
      <Text size="sm">
        {refundable.credits > 0
          ? t("orders.refundPack", { amount, name: buyer.name, count: refundable.credits })
          : t("orders.refundFlagged", { amount, name: buyer.name })}
      </Text>
    </ReasonModal>
  );
}

function Refunds({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("orders.refunds")}
        </Title>
        {detail.refunds.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("orders.noRefunds")}
          </Text>
        ) : (
          detail.refunds.map((refund) => (
            <Group key={refund.id} justify="space-between" align="flex-start" wrap="wrap">
              <Stack gap={2}>
                <Group gap="xs">
                  <Text fw={600}>{format.money(refund.amount, refund.currency)}</Text>
                  <Badge color={REFUND_COLORS[refund.status]} variant="light">
                    {t(`orders.refundStatuses.${refund.status}`)}
                  </Badge>
                  {refund.creditsRemoved > 0 && (
                    <Text size="sm" c="dimmed">
                      {t("orders.refundCredits", { count: refund.creditsRemoved })}
                    </Text>
                  )}
                </Group>
                <Text size="sm" dir="auto">
                  {refund.reason}
                </Text>
                {refund.failureReason && (
                  <Text size="sm" c="red" dir="auto">
                    {refund.failureReason}
                  </Text>
                )}
              </Stack>
              <Stack gap={2} align="flex-end">
                <Text size="sm">{format.dateTime(refund.settledAt ?? refund.createdAt)}</Text>
                {refund.providerRefundRef && (
                  <Code style={{ overflowWrap: "anywhere" }}>{refund.providerRefundRef}</Code>
                )}
              </Stack>
            </Group>
          ))
        )}
      </Stack>
    </Card>
  );
}

function Events({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("orders.events")}
        </Title>
        {detail.events.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("orders.noEvents")}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("orders.eventType")}</Table.Th>
                  <Table.Th>{t("orders.eventStatus")}</Table.Th>
                  <Table.Th>{t("orders.received")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.events.map((event) => (
                  <Table.Tr key={event.id}>
                    <Table.Td>
                      <Code>{event.type}</Code>
                      {event.lastError && (
                        <Text size="xs" c="red" dir="auto">
                          {event.lastError}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={EVENT_COLORS[event.status]} variant="light">
                        {t(`orders.eventStatuses.${event.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{format.dateTime(event.receivedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}

function Ledger({ detail }: { detail: Detail }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card withBorder>
      <Stack gap="sm">
        <Title order={2} size="h4">
          {t("orders.ledger")}
        </Title>
        {detail.transactions.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("orders.noLedger")}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("orders.created")}</Table.Th>
                  <Table.Th>{t("orders.posting")}</Table.Th>
                  <Table.Th>{t("orders.entries")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {detail.transactions.map((txn) => (
                  <Table.Tr key={txn.id}>
                    <Table.Td>{format.dateTime(txn.createdAt)}</Table.Td>
                    <Table.Td>
                      <Code>{txn.kind}</Code>
                      <Text size="xs" c="dimmed" dir="auto">
                        {txn.description}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {txn.entries.map((entry, i) => (
                        <Text key={`${txn.id}-${i}`} size="xs" dir="ltr" ta="start">
                          {entry.account}: {entry.currency === "CREDIT" ? format.signed(entry.amount) : null}
                          {entry.currency !== "CREDIT" && format.money(entry.amount, entry.currency)}
                        </Text>
                      ))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
