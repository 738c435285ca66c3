import type { RouterOutputs } from "@lectern/api/router";
import { MarkFailedInput, MarkPaidInput, RejectWithdrawalInput } from "@lectern/api-contract";
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData, useMutation } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
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
      {rejecting && (
        <WithdrawalTextModal
          key={rejecting.id}
          action="reject"
          withdrawal={rejecting}
          onClose={() => setRejecting(null)}
        />
      )}
    </>
  );
}

/** The written answer each withdrawal action takes: a reason, or the bank's reference of a manual transfer. */
const TEXT_ACTIONS = {
  reject: {
    schema: RejectWithdrawalInput.pick({ reason: true }),
    label: "withdrawals.reason",
    title: "withdrawals.rejectTitle",
    text: "withdrawals.rejectText",
    confirm: "withdrawals.rejectConfirm",
    done: "withdrawals.rejected",
    color: "red",
  },
  markPaid: {
    schema: MarkPaidInput.pick({ reference: true }),
    label: "withdrawals.reference",
    title: "withdrawals.markPaidTitle",
    text: "withdrawals.markPaidText",
    confirm: "withdrawals.markPaidConfirm",
    done: "withdrawals.markedPaid",
    color: undefined,
  },
  markFailed: {
    schema: MarkFailedInput.pick({ reason: true }),
    label: "withdrawals.reason",
    title: "withdrawals.markFailedTitle",
    text: "withdrawals.markFailedText",
    confirm: "withdrawals.markFailedConfirm",
    done: "withdrawals.markedFailed",
    color: "red",
  },
} as const;

export type WithdrawalTextAction = keyof typeof TEXT_ACTIONS;

/** Reject, mark paid or mark failed: one written answer, errors beside the field, audited on the server. */
export function WithdrawalTextModal({
  action,
  withdrawal,
  onClose,
  children,
}: {
  action: WithdrawalTextAction;
  withdrawal: AdminWithdrawal;
  onClose: () => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const changed = useWithdrawalChanged();
  const spec = TEXT_ACTIONS[action];
  const field = action === "markPaid" ? "reference" : "reason";
  const form = useForm({ initialValues: { [field]: "" }, validate: formResolver(spec.schema) });
  const client = trpc.useUtils().client.admin.withdrawals;
  const mutation = useMutation({
    mutationFn: (text: string) =>
      action === "markPaid"
        ? client.markPaid.mutate({ id: withdrawal.id, reference: text })
        : client[action].mutate({ id: withdrawal.id, reason: text }),
    onSuccess: () => {
      notifySuccess(t(spec.done));
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
      title={t(spec.title)}
      onSubmit={form.onSubmit((values) => mutation.mutate(values[field] ?? ""))}
      label={t(spec.label)}
      input={form.getInputProps(field)}
      cancelLabel={t("withdrawals.keep")}
      confirmLabel={t(spec.confirm)}
      color={spec.color}
      loading={mutation.isPending}
    >
      <Text size="sm">
        {t(spec.text, { amount: format.money(withdrawal.amount, withdrawal.currency), name: withdrawal.userName })}
      </Text>
      {children}
    </ReasonModal>
  );
}
