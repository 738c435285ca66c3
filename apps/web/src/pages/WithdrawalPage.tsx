import { Anchor, Badge, Button, Card, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, PageLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { WithdrawFlow } from "../components/wallet/WithdrawFlow";
import { STATUS_COLORS } from "../components/wallet/withdrawal-status";
import { isNotFound, toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

/** One withdrawal: where it stands, when each step happened, why it failed; finish or cancel it here. */
export function WithdrawalPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={640}>
      <PageHeading>{t("withdrawals.detailTitle")}</PageHeading>
      <TeachersOnly>
        <WithdrawalDetail />
      </TeachersOnly>
      <Anchor component={Link} to="/wallet/withdrawals" underline="always">
        {t("withdrawals.backToList")}
      </Anchor>
    </Stack>
  );
}

function WithdrawalDetail() {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const { id = "" } = useParams();
  const [finishing, setFinishing] = useState(false);
  const withdrawal = trpc.withdrawals.get.useQuery({ withdrawalId: id }, { retry: false });
  const cancel = trpc.withdrawals.cancel.useMutation({
    onSuccess: () => Promise.all([utils.withdrawals.invalidate(), utils.wallet.invalidate()]),
  });
  if (withdrawal.isPending) return <PageLoader />;
  if (withdrawal.isError)
    return isNotFound(withdrawal.error) ? (
      <Text>{t("withdrawals.notFound")}</Text>
    ) : (
      <LoadError error={withdrawal.error} onRetry={() => void withdrawal.refetch()} />
    );
  const w = withdrawal.data;
  const expired = w.status === "awaiting_code" && new Date(w.codeExpiresAt).getTime() <= Date.now();
  const steps: [string, Date | null][] = [
    [t("withdrawals.requestedAt"), w.createdAt],
    [t("withdrawals.confirmedAt"), w.confirmedAt],
    [t("withdrawals.settledAt"), w.settledAt],
  ];
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack>
        <Group justify="space-between" wrap="wrap">
          <Text fz="xl" fw={700}>
            {format.money(w.amount, w.currency)}
          </Text>
          <Badge color={expired ? "gray" : STATUS_COLORS[w.status]} variant="light" size="lg">
            {expired ? t("withdrawals.expired") : t(`withdrawals.statuses.${w.status}`)}
          </Badge>
        </Group>
        <Text>
          {t("withdrawals.columns.method")}: {w.methodLabel}
        </Text>
        {w.failureReason && (
          <Text style={{ unicodeBidi: "plaintext" }}>{t("withdrawals.reason", { reason: w.failureReason })}</Text>
        )}
        <Table>
          <Table.Tbody>
            {steps.map(([label, when]) =>
              when ? (
                <Table.Tr key={label}>
                  <Table.Th scope="row">{label}</Table.Th>
                  <Table.Td>{format.dateTime(new Date(when))}</Table.Td>
                </Table.Tr>
              ) : null,
            )}
          </Table.Tbody>
        </Table>
        {cancel.error && <FailureAlert message={toFailure(cancel.error, t).message} />}
        <Group>
          {w.status === "awaiting_code" && !expired && (
            <Button onClick={() => setFinishing(true)}>{t("withdrawals.enterCode")}</Button>
          )}
          {(w.status === "awaiting_code" || w.status === "in_review") && (
            <Button
              variant="subtle"
              color="gray"
              loading={cancel.isPending}
              onClick={() => cancel.mutate({ withdrawalId: w.id })}
            >
              {t("withdrawals.cancel")}
            </Button>
          )}
        </Group>
      </Stack>
      <Modal
        opened={finishing}
        onClose={() => setFinishing(false)}
        title={t("withdrawals.dialogTitle", { currency: w.currency })}
      >
        {finishing && (
          <WithdrawFlow currency={w.currency} available={0} pending={w} onDone={() => setFinishing(false)} />
        )}
      </Modal>
    </Card>
  );
}
