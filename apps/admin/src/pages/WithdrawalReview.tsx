import type { RouterOutputs } from "@lectern/api/router";
import { RejectWithdrawalInput } from "@lectern/api-contract";
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ConfirmModal } from "../components/ConfirmModal.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formResolver, notifyError, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

export type AdminWithdrawal = RouterOutputs["admin"]["withdrawals"]["queue"]["items"][number];

/** The review queue: withdrawals the fraud rules flagged, oldest first, each approved or rejected with a reason. */
export function WithdrawalReviewPage() {
  const { t } = useTranslation();
  usePageTitle(t("withdrawals.reviewTitle"));
  const { page, update } = useFilters();
  const queue = trpc.admin.withdrawals.queue.useQuery(
    { page, pageSize: 20, query: "" },
    { placeholderData: keepPreviousData },
  );
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("withdrawals.reviewTitle")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("withdrawals.reviewIntro")}
        </Text>
      </div>
      <QueryState query={queue}>
        {({ items, total, pageSize }) => (
          <>
            {items.length > 0 && <QueueTable withdrawals={items} />}
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("withdrawals.emptyQueue")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

/** After a decision: the queue, the payouts, the creator's wallet and the audit log are stale. */
export function useWithdrawalChanged() {
  const utils = trpc.useUtils();
  return () => {
    void utils.admin.withdrawals.invalidate();
    void utils.admin.audit.list.invalidate();
  };
}

/** The fraud reasons of a flagged withdrawal, as the console's words. */
export function FraudReasons({ withdrawal }: { withdrawal: AdminWithdrawal }) {
  const { t } = useTranslation();
  if (withdrawal.fraudReasons.length === 0) return null;
  return (
    <Stack gap={2}>
      {withdrawal.fraudReasons.map((r) => (
        <Text key={r.rule} size="xs" title={r.detail}>
          {t(`withdrawals.rules.${r.rule}`)} (+{r.points})
        </Text>
      ))}
    </Stack>
  );
}

export function Creator({ withdrawal }: { withdrawal: AdminWithdrawal }) {
  return (
    <>
      <Anchor component={Link} to={`/users/${withdrawal.userId}`} size="sm">
        {withdrawal.userName}
      </Anchor>
      <Text size="xs" c="dimmed">
        {withdrawal.userEmail}
      </Text>
    </>
  );
}

function QueueTable({ withdrawals }: { withdrawals: AdminWithdrawal[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [approving, setApproving] = useState<AdminWithdrawal | null>(null);
  const [rejecting, setRejecting] = useState<AdminWithdrawal | null>(null);
  const changed = useWithdrawalChanged();
  const approve = trpc.admin.withdrawals.approve.useMutation({
    onSuccess: () => {
      notifySuccess(t("withdrawals.approved"));
      setApproving(null);
      changed();
    },
    onError: (error) => {
      setApproving(null);
      notifyError(error);
      changed();
    },
  });
  return (
    <>
      <Table.ScrollContainer minWidth={860}>
        <Table verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("withdrawals.confirmedAt")}</Table.Th>
              <Table.Th>{t("withdrawals.creator")}</Table.Th>
              <Table.Th>{t("withdrawals.amount")}</Table.Th>
              <Table.Th>{t("withdrawals.method")}</Table.Th>
              <Table.Th>{t("withdrawals.score")}</Table.Th>
              <Table.Th>{t("withdrawals.reasons")}</Table.Th>
              <Table.Th>{t("withdrawals.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {withdrawals.map((w) => (
              <Table.Tr key={w.id} data-testid="review-row">
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  {w.confirmedAt ? format.dateTime(w.confirmedAt) : ""}
                </Table.Td>
                <Table.Td>
                  <Creator withdrawal={w} />
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{format.money(w.amount, w.currency)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{w.methodLabel}</Text>
                  <Text size="xs" c="dimmed">
                    {t(`withdrawals.kinds.${w.methodKind}`)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color="orange" variant="light">
                    {w.fraudScore ?? 0}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <FraudReasons withdrawal={w} />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button size="xs" variant="light" onClick={() => setApproving(w)}>
                      {t("withdrawals.approve")}
                    </Button>
                    <Button size="xs" variant="light" color="red" onClick={() => setRejecting(w)}>
                      {t("withdrawals.reject")}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <ConfirmModal
        opened={approving !== null}
        title={t("withdrawals.approveTitle")}
        loading={approve.isPending}
        onConfirm={() => approving && approve.mutate({ id: approving.id })}
        onClose={() => setApproving(null)}
      >
        {approving
          ? t("withdrawals.approveText", {
              amount: format.money(approving.amount, approving.currency),
              name: approving.userName,
            })
          : ""}
      </ConfirmModal>
      {rejecting && <RejectModal key={rejecting.id} withdrawal={rejecting} onClose={() => setRejecting(null)} />}
    </>
  );
}

const Reason = RejectWithdrawalInput.pick({ reason: true });

function RejectModal({ withdrawal, onClose }: { withdrawal: AdminWithdrawal; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const changed = useWithdrawalChanged();
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(Reason) });
  const reject = trpc.admin.withdrawals.reject.useMutation({
    onSuccess: () => {
      notifySuccess(t("withdrawals.rejected"));
      changed();
      onClose();
    },
    onError: (error) =>
      showFormError(error, form, {
        notify: (failure) => {
          onClose();
          notifyError(failure);
          changed();
        },
      }),
  });
  return (
    <ReasonModal
      opened
      onClose={onClose}
      title={t("withdrawals.rejectTitle")}
      onSubmit={form.onSubmit(({ reason }) => reject.mutate({ id: withdrawal.id, reason }))}
      label={t("withdrawals.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("withdrawals.keep")}
      confirmLabel={t("withdrawals.rejectConfirm")}
      color="red"
      loading={reject.isPending}
    >
      <Text size="sm">
        {t("withdrawals.rejectText", {
          amount: format.money(withdrawal.amount, withdrawal.currency),
          name: withdrawal.userName,
        })}
      </Text>
    </ReasonModal>
  );
}
