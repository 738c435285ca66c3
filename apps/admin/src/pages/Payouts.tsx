import {
  AdminListWithdrawalsInput,
  CURRENCIES,
  type Currency,
  PAYOUT_METHOD_KINDS,
  WITHDRAWAL_STATUSES,
} from "@lectern/api-contract";
import { Badge, Button, Card, Code, Group, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { Select } from "../components/select.ts";
import { notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { type MoneyInputValue, toMinorUnits, toMoneyInput } from "../lib/money.ts";
import { oneOf, useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";
import { type AdminWithdrawal, Creator, FraudReasons, WithdrawalTextModal } from "./WithdrawalReview.tsx";

const STATUS_COLORS: Record<AdminWithdrawal["status"], string> = {
  awaiting_code: "gray",
  in_review: "orange",
  approved: "blue",
  processing: "blue",
  paid: "teal",
  failed: "red",
  rejected: "red",
  cancelled: "gray",
};

/** Every confirmed withdrawal with filters; manual bank transfers are marked paid or failed here; limits below. */
export function PayoutsPage() {
  const { t } = useTranslation();
  usePageTitle(t("withdrawals.payoutsTitle"));
  const { params, page, update } = useFilters();
  const input = AdminListWithdrawalsInput.parse({
    status: oneOf(WITHDRAWAL_STATUSES, params.get("status")),
    currency: oneOf(CURRENCIES, params.get("currency")),
    kind: oneOf(PAYOUT_METHOD_KINDS, params.get("kind")),
    query: params.get("q") ?? "",
    page,
  });
  const list = trpc.admin.withdrawals.list.useQuery(input, { placeholderData: keepPreviousData });
  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("withdrawals.payoutsTitle")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("withdrawals.payoutsIntro")}
        </Text>
      </div>
      <Group align="flex-end" wrap="wrap">
        <FilterInput label={t("withdrawals.search")} value={input.query} onChange={(q) => update({ q })} miw={220} />
        <Select
          label={t("withdrawals.status")}
          placeholder={t("withdrawals.allStatuses")}
          data={WITHDRAWAL_STATUSES.map((s) => ({ value: s, label: t(`withdrawals.statuses.${s}`) }))}
          value={input.status ?? null}
          onChange={(status) => update({ status })}
          clearable
          miw={180}
        />
        <Select
          label={t("withdrawals.currency")}
          placeholder={t("withdrawals.allCurrencies")}
          data={[...CURRENCIES]}
          value={input.currency ?? null}
          onChange={(currency) => update({ currency })}
          clearable
          miw={140}
        />
        <Select
          label={t("withdrawals.method")}
          placeholder={t("withdrawals.allKinds")}
          data={PAYOUT_METHOD_KINDS.map((k) => ({ value: k, label: t(`withdrawals.kinds.${k}`) }))}
          value={input.kind ?? null}
          onChange={(kind) => update({ kind })}
          clearable
          miw={180}
        />
      </Group>
      <QueryState query={list}>
        {({ items, total, pageSize }) => (
          <>
            {items.length > 0 && <PayoutsTable withdrawals={items} />}
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("withdrawals.emptyPayouts")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
      <Limits />
    </Stack>
  );
}

function PayoutsTable({ withdrawals }: { withdrawals: AdminWithdrawal[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [marking, setMarking] = useState<{ withdrawal: AdminWithdrawal; as: "paid" | "failed" } | null>(null);
  return (
    <>
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("withdrawals.createdAt")}</Table.Th>
              <Table.Th>{t("withdrawals.creator")}</Table.Th>
              <Table.Th>{t("withdrawals.amount")}</Table.Th>
              <Table.Th>{t("withdrawals.method")}</Table.Th>
              <Table.Th>{t("withdrawals.status")}</Table.Th>
              <Table.Th>{t("withdrawals.actions")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {withdrawals.map((w) => (
              <Table.Tr key={w.id} data-testid="payout-row">
                <Table.Td style={{ whiteSpace: "nowrap" }}>{format.dateTime(w.createdAt)}</Table.Td>
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
                  <Stack gap={2}>
                    <Badge color={STATUS_COLORS[w.status]} variant="light">
                      {t(`withdrawals.statuses.${w.status}`)}
                    </Badge>
                    {w.providerRef && (
                      <Text size="xs" c="dimmed" dir="ltr">
                        {w.providerRef}
                      </Text>
                    )}
                    {w.failureReason && (
                      <Text size="xs" c="dimmed" style={{ unicodeBidi: "plaintext" }}>
                        {w.failureReason}
                      </Text>
                    )}
                    <FraudReasons withdrawal={w} />
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {w.status === "processing" && w.methodKind === "manual" && (
                    <Group gap="xs" wrap="nowrap">
                      <Button size="xs" variant="light" onClick={() => setMarking({ withdrawal: w, as: "paid" })}>
                        {t("withdrawals.markPaid")}
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        onClick={() => setMarking({ withdrawal: w, as: "failed" })}
                      >
                        {t("withdrawals.markFailed")}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {marking?.as === "paid" && (
        <WithdrawalTextModal
          key={marking.withdrawal.id}
          action="markPaid"
          withdrawal={marking.withdrawal}
          onClose={() => setMarking(null)}
        >
          <BankDetails id={marking.withdrawal.id} />
        </WithdrawalTextModal>
      )}
      {marking?.as === "failed" && (
        <WithdrawalTextModal
          key={marking.withdrawal.id}
          action="markFailed"
          withdrawal={marking.withdrawal}
          onClose={() => setMarking(null)}
        />
      )}
    </>
  );
}

/** The bank account a manual transfer goes to (read when the admin is about to mark it). */
function BankDetails({ id }: { id: string }) {
  const { t } = useTranslation();
  const detail = trpc.admin.withdrawals.get.useQuery({ id });
  if (!detail.data) return null;
  const details = detail.data.methodDetails as Record<string, string | null>;
  return (
    <Stack gap={2}>
      <Text size="sm" fw={600}>
        {t("withdrawals.bankDetails")}
      </Text>
      {["accountName", "bankName", "accountNumber", "routing"].map((key) =>
        details[key] ? (
          <Code key={key} dir="ltr" style={{ unicodeBidi: "plaintext" }}>
            {details[key]}
          </Code>
        ) : null,
      )}
    </Stack>
  );
}

/** The limits per currency, each row saved on its own (audited). */
function Limits() {
  const { t } = useTranslation();
  const limits = trpc.admin.withdrawals.limits.useQuery();
  return (
    <Card withBorder radius="md" padding="lg">
      <Stack>
        <div>
          <Title order={2} size="h4">
            {t("withdrawals.limitsTitle")}
          </Title>
          <Text c="dimmed" size="sm">
            {t("withdrawals.limitsIntro")}
          </Text>
        </div>
        <QueryState query={limits}>
          {(rows) => (
            <Stack gap="sm">
              {rows.map((row) => (
                <LimitRow key={`${row.currency}-${String(row.updatedAt)}`} row={row} />
              ))}
            </Stack>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}

type LimitsRow = { currency: string; minAmount: number; perWithdrawal: number; perDay: number };
const FIELDS = ["minAmount", "perWithdrawal", "perDay"] as const;

function LimitRow({ row }: { row: LimitsRow }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const currency = row.currency as Currency;
  const form = useForm<Record<(typeof FIELDS)[number], MoneyInputValue>>({
    initialValues: {
      minAmount: toMoneyInput(row.minAmount, currency),
      perWithdrawal: toMoneyInput(row.perWithdrawal, currency),
      perDay: toMoneyInput(row.perDay, currency),
    },
  });
  const save = trpc.admin.withdrawals.updateLimits.useMutation({
    onSuccess: () => {
      notifySuccess(t("withdrawals.limitsSaved", { currency }));
      void utils.admin.withdrawals.limits.invalidate();
      void utils.admin.audit.list.invalidate();
    },
    onError: (error) => showFormError(error, form),
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) =>
        save.mutate({
          currency,
          minAmount: toMinorUnits(values.minAmount, currency) ?? Number.NaN,
          perWithdrawal: toMinorUnits(values.perWithdrawal, currency) ?? Number.NaN,
          perDay: toMinorUnits(values.perDay, currency) ?? Number.NaN,
        }),
      )}
    >
      <Group align="flex-end" wrap="wrap" data-testid={`limits-${currency}`}>
        <Text fw={600} w={48}>
          {currency}
        </Text>
        {FIELDS.map((field) => (
          <TextInput
            key={field}
            label={t(`withdrawals.${field}`)}
            inputMode="decimal"
            dir="ltr"
            w={150}
            {...form.getInputProps(field)}
          />
        ))}
        <Button type="submit" variant="light" loading={save.isPending} disabled={!form.isDirty()}>
          {t("withdrawals.save")}
        </Button>
      </Group>
    </form>
  );
}
