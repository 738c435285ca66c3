import type { RouterOutputs } from "@lectern/api/router";
import { Anchor, Button, Card, Group, Stack, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { LoadError, SectionLoader } from "../components/Status";
import { isNotFound } from "../lib/errors";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

type Receipt = RouterOutputs["payments"]["receipts"]["get"];

/** A paid order's receipt, downloadable as a self-contained HTML file (printable as it is). */
export function ReceiptPage() {
  const { t } = useTranslation();
  const { orderId = "" } = useParams();
  const receipt = trpc.payments.receipts.get.useQuery({ orderId }, { retry: false });
  if (receipt.isPending) return <SectionLoader />;
  if (receipt.isError)
    return isNotFound(receipt.error) || receipt.error.data?.appCode === "ORDER_NOT_PAID" ? (
      <Stack maw={640}>
        <Text>{t("checkout.receipt.notFound")}</Text>
        <Anchor component={Link} to="/orders">
          {t("checkout.receipt.back")}
        </Anchor>
      </Stack>
    ) : (
      <LoadError error={receipt.error} onRetry={() => void receipt.refetch()} />
    );
  return <ReceiptView receipt={receipt.data} />;
}

function useReceiptRows(receipt: Receipt): [string, string][] {
  const { t } = useTranslation();
  const format = useFormat();
  return [
    [t("checkout.receipt.billedTo"), `${receipt.buyer.name} <${receipt.buyer.email}>`],
    [
      t("checkout.receipt.item"),
      receipt.credits
        ? `${receipt.description} · ${t("checkout.receipt.credits", { value: receipt.credits })}`
        : receipt.description,
    ],
    [t("checkout.receipt.paidOn"), format.dateTime(receipt.paidAt)],
    [t("checkout.receipt.amount"), format.money(receipt.amount, receipt.currency)],
    ...(receipt.taxLabel && receipt.taxAmount > 0
      ? [
          [
            t("checkout.receipt.tax", { label: receipt.taxLabel }),
            format.money(receipt.taxAmount, receipt.currency),
          ] as [string, string],
        ]
      : []),
    ...(receipt.refundedAmount > 0
      ? [[t("checkout.receipt.refunded"), format.money(receipt.refundedAmount, receipt.currency)] as [string, string]]
      : []),
    [t("checkout.receipt.provider"), t(`checkout.receipt.providers.${receipt.provider as "local"}`)],
    [t("checkout.receipt.reference"), receipt.paymentRef],
  ];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function ReceiptView({ receipt }: { receipt: Receipt }) {
  const { t, i18n } = useTranslation();
  const rows = useReceiptRows(receipt);
  const title = t("checkout.receipt.title", { number: receipt.receiptNumber });

  /** The same receipt as one HTML file in the UI language: opens anywhere and prints as it is. */
  const download = () => {
    const dir = i18n.dir(i18n.language);
    const html = `<!doctype html><html lang="${i18n.language}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%}th,td{text-align:start;padding:.5rem;border-bottom:1px solid #ddd}th{color:#555;font-weight:500}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(t("checkout.receipt.seller"))}</p><table>${rows
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join("")}</table></body></html>`;
    const url = URL.createObjectURL(new Blob([html], { type: "text/html;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `receipt-${receipt.receiptNumber}.html`;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <Stack gap="lg" maw={720}>
      <PageHeading>{title}</PageHeading>
      <Card withBorder radius="md" padding="lg">
        <Text fw={700} mb="sm">
          {t("checkout.receipt.seller")}
        </Text>
        <Table.ScrollContainer minWidth={320}>
          <Table variant="vertical" layout="fixed" withRowBorders>
            <Table.Tbody>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th w="40%">{label}</Table.Th>
                  <Table.Td>
                    <bdi>{value}</bdi>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Group>
        <Button onClick={download}>{t("checkout.receipt.download")}</Button>
        <Button variant="light" onClick={() => window.print()}>
          {t("checkout.receipt.print")}
        </Button>
        <Anchor component={Link} to="/orders">
          {t("checkout.receipt.back")}
        </Anchor>
      </Group>
    </Stack>
  );
}
