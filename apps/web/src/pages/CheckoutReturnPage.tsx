import type { RouterOutputs } from "@lectern/api/router";
import { Alert, Anchor, Button, Group, Loader, Stack, Text } from "@mantine/core";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { LoadError, SectionLoader } from "../components/Status";
import { trpc } from "../lib/trpc";

type Order = RouterOutputs["payments"]["orders"]["get"];

const POLL_MS = 3000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where the provider sends the browser back. It asks the server to confirm the order with the
 * provider (a late webhook changes nothing then), and keeps asking while the payment is pending.
 */
export function CheckoutReturnPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const orderId = params.get("orderId") ?? "";
  const valid = UUID.test(orderId);
  const utils = trpc.useUtils();
  const confirm = trpc.payments.orders.confirm.useMutation({
    onSuccess: (order) => utils.payments.orders.get.setData({ orderId }, order),
  });
  const order = trpc.payments.orders.get.useQuery(
    { orderId },
    {
      enabled: valid && (confirm.isSuccess || confirm.isError),
      refetchInterval: (query) => (query.state.data?.status === "pending" ? POLL_MS : false),
    },
  );
  const { mutate } = confirm;
  useEffect(() => {
    if (valid) mutate({ orderId });
  }, [valid, orderId, mutate]);
  // While pending, ask the provider again now and then: its webhook may never come.
  const pending = order.data?.status === "pending" && !order.data.underReview;
  useEffect(() => {
    if (!pending) return;
    const timer = window.setInterval(() => mutate({ orderId }), POLL_MS * 4);
    return () => window.clearInterval(timer);
  }, [pending, orderId, mutate]);

  return (
    <Stack gap="lg" maw={640}>
      <PageHeading>{t("checkout.return.title")}</PageHeading>
      {!valid ? (
        <Text>{t("checkout.return.missing")}</Text>
      ) : order.data ? (
        <Outcome order={order.data} />
      ) : order.isError ? (
        <LoadError error={order.error} onRetry={() => void order.refetch()} />
      ) : (
        <SectionLoader />
      )}
    </Stack>
  );
}

function Outcome({ order }: { order: Order }) {
  const { t } = useTranslation();
  if (order.underReview && order.status === "pending")
    return (
      <Alert color="yellow" title={t("checkout.return.review")}>
        {t("checkout.return.reviewBody")}
      </Alert>
    );
  switch (order.status) {
    case "paid":
      return (
        <Stack gap="md">
          <Alert color="teal" title={t("checkout.return.paid")} role="status">
            {t("checkout.return.paidBody", { credits: order.credits ?? 0, name: order.description })}
          </Alert>
          <Group>
            <Button component={Link} to="/teachers">
              {t("checkout.return.book")}
            </Button>
            <Button component={Link} to={`/orders/${order.id}/receipt`} variant="light">
              {t("checkout.return.receipt")}
            </Button>
            <Anchor component={Link} to="/credits">
              {t("checkout.return.credits")}
            </Anchor>
          </Group>
        </Stack>
      );
    case "pending":
      return (
        <Stack gap="md">
          <Alert color="blue" title={t("checkout.return.pending")} role="status">
            <Group gap="sm" wrap="nowrap">
              <Loader size="sm" />
              <Text size="sm">{t("checkout.return.pendingBody")}</Text>
            </Group>
          </Alert>
          {order.checkoutUrl && <Anchor href={order.checkoutUrl}>{t("checkout.return.continuePayment")}</Anchor>}
        </Stack>
      );
    case "refunded":
      return (
        <Alert color="gray" title={t("checkout.return.refunded")}>
          {t("checkout.return.refundedBody")}
        </Alert>
      );
    default:
      return (
        <Stack gap="md">
          <Alert color="red" title={t(`checkout.return.${order.status}`)}>
            {t(`checkout.return.${order.status}Body`)}
          </Alert>
          <Group>
            <Button component={Link} to="/credits/buy">
              {t("checkout.return.tryAgain")}
            </Button>
          </Group>
        </Stack>
      );
  }
}
