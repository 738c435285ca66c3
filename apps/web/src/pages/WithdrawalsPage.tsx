import type { RouterOutputs } from "@lectern/api/router";
import { Anchor, Badge, Button, Card, Group, Modal, Stack, Table, Text } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { WithdrawFlow } from "../components/wallet/WithdrawFlow";
import { STATUS_COLORS } from "../components/wallet/withdrawal-status";
import { toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

type Withdrawal = RouterOutputs["withdrawals"]["list"]["items"][number];

const PAGE_SIZE = 20;

/** A creator's withdrawals with their status; one waiting for its code can be finished or cancelled here. */
export function WithdrawalsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <PageHeading>{t("withdrawals.title")}</PageHeading>
        <Text c="dimmed" size="sm">
          {t("withdrawals.intro")}{" "}
          <Anchor component={Link} to="/wallet/payout-methods" underline="always">
            {t("withdrawals.methodsLink")}
          </Anchor>
        </Text>
      </Stack>
      <TeachersOnly>
        <WithdrawalList />
      </TeachersOnly>
    </Stack>
  );
}

function WithdrawalList() {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const [page, setPage] = useState(1);
  const [finishing, setFinishing] = useState<Withdrawal | null>(null);
  const [error, setError] = useState<unknown>(null);
  const list = trpc.withdrawals.list.useQuery({ page, pageSize: PAGE_SIZE }, { placeholderData: keepPreviousData });
  const cancel = trpc.withdrawals.cancel.useMutation({
    onSuccess: () => Promise.all([utils.withdrawals.invalidate(), utils.wallet.invalidate()]),
    onError: setError,
  });
  if (list.isPending) return <SectionLoader />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0) return <Text c="dimmed">{t("withdrawals.empty")}</Text>;
  const now = Date.now();

  return (
    <Card withBorder radius="md" padding={0}>
      {error ? <FailureAlert message={toFailure(error, t).message} /> : null}
      {/* Native scrolling, focusable, so a keyboard can scroll it on a phone. */}
      <Table.ScrollContainer
        minWidth={640}
        type="native"
        tabIndex={0}
        role="region"
        aria-label={t("withdrawals.title")}
      >
        <Table verticalSpacing="sm" horizontalSpacing="md">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("withdrawals.columns.date")}</Table.Th>
              <Table.Th>{t("withdrawals.columns.amount")}</Table.Th>
              <Table.Th>{t("withdrawals.columns.method")}</Table.Th>
              <Table.Th>{t("withdrawals.columns.status")}</Table.Th>
              <Table.Th>{t("withdrawals.columns.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((w) => {
              const expired = w.status === "awaiting_code" && new Date(w.codeExpiresAt).getTime() <= now;
              return (
                <Table.Tr key={w.id} data-testid="withdrawal-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/wallet/withdrawals/${w.id}`} size="sm">
                      {format.dateTime(new Date(w.createdAt))}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{format.money(w.amount, w.currency)}</Table.Td>
                  <Table.Td>{w.methodLabel}</Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      <Badge color={expired ? "gray" : STATUS_COLORS[w.status]} variant="light">
                        {expired ? t("withdrawals.expired") : t(`withdrawals.statuses.${w.status}`)}
                      </Badge>
                      {w.failureReason && (
                        <Text size="xs" c="dimmed" style={{ unicodeBidi: "plaintext" }}>
                          {t("withdrawals.reason", { reason: w.failureReason })}
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {w.status === "awaiting_code" && !expired && (
                        <Button size="xs" onClick={() => setFinishing(w)}>
                          {t("withdrawals.enterCode")}
                        </Button>
                      )}
                      {(w.status === "awaiting_code" || w.status === "in_review") && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="gray"
                          loading={cancel.isPending && cancel.variables?.withdrawalId === w.id}
                          onClick={() => {
                            setError(null);
                            cancel.mutate({ withdrawalId: w.id });
                          }}
                        >
                          {t("withdrawals.cancel")}
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Pager total={list.data.total} page={page} pageSize={PAGE_SIZE} onPage={setPage} />
      <Modal
        opened={finishing !== null}
        onClose={() => setFinishing(null)}
        title={finishing ? t("withdrawals.dialogTitle", { currency: finishing.currency }) : ""}
      >
        {finishing && (
          <WithdrawFlow
            currency={finishing.currency}
            available={0}
            pending={finishing}
            onDone={() => setFinishing(null)}
          />
        )}
      </Modal>
    </Card>
  );
}
