import type { RouterOutputs } from "@lectern/api/router";
import {
  AdjustWalletInput,
  CURRENCIES,
  CURRENCY_MINOR_DIGITS,
  Currency,
  WALLET_ENTRY_KINDS,
  WALLET_POLICY,
} from "@lectern/api-contract";
import {
  Anchor,
  Button,
  Card,
  Group,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { formResolver, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { type MoneyInputValue, toMinorUnits } from "../lib/money.ts";
import { oneOf, useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Wallet = RouterOutputs["admin"]["wallets"]["get"];

/** One user's wallets: balances per currency, their history (filtered by currency and type), and adjustments. */
export function WalletDetailPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const { params, page, update } = useFilters();
  const currency = oneOf(CURRENCIES, params.get("currency"));
  const kind = oneOf(WALLET_ENTRY_KINDS, params.get("kind"));
  const wallet = trpc.admin.wallets.get.useQuery(
    { userId: id, currency, kind, page },
    { placeholderData: keepPreviousData },
  );
  usePageTitle(wallet.data ? t("wallets.detailTitle", { name: wallet.data.user.name }) : t("wallets.title"));
  const [adjusting, setAdjusting] = useState(false);

  return (
    <QueryState query={wallet}>
      {(data) => (
        <Stack>
          <Group justify="space-between" align="flex-end">
            <div>
              <Title order={1} size="h2" dir="auto">
                {t("wallets.detailTitle", { name: data.user.name })}
              </Title>
              <Text c="dimmed" size="sm">
                {data.user.email} ·{" "}
                <Anchor component={Link} to={`/users/${data.user.id}`} size="sm" underline="always">
                  {t("wallets.profile")}
                </Anchor>
              </Text>
            </div>
            <Button onClick={() => setAdjusting(true)}>{t("wallets.adjust")}</Button>
          </Group>
          <Balances balances={data.balances} />
          <Title order={2} size="h3">
            {t("wallets.history")}
          </Title>
          <Group gap="sm">
            <NativeSelect
              label={t("wallets.filterCurrency")}
              value={currency ?? ""}
              onChange={(e) => update({ currency: e.currentTarget.value })}
              data={[{ value: "", label: t("wallets.all") }, ...CURRENCIES]}
              w={{ base: "100%", xs: 140 }}
            />
            <NativeSelect
              label={t("wallets.filterKind")}
              value={kind ?? ""}
              onChange={(e) => update({ kind: e.currentTarget.value })}
              data={[
                { value: "", label: t("wallets.all") },
                ...WALLET_ENTRY_KINDS.map((k) => ({ value: k, label: t(`wallets.kinds.${k}`) })),
              ]}
              w={{ base: "100%", xs: 220 }}
            />
          </Group>
          <History history={data.history} />
          <ListFooter
            shown={data.history.items.length}
            total={data.history.total}
            page={page}
            pageSize={data.history.pageSize}
            empty={t("wallets.noHistory")}
            onPage={(next) => update({ page: String(next) })}
          />
          {adjusting && <AdjustModal wallet={data} onClose={() => setAdjusting(false)} />}
        </Stack>
      )}
    </QueryState>
  );
}

function Balances({ balances }: { balances: Wallet["balances"] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (balances.length === 0) return <Text c="dimmed">{t("wallets.none")}</Text>;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
      {balances.map((b) => (
        <Card key={b.currency} withBorder padding="md" component="section" aria-label={b.currency}>
          <Text size="sm" fw={700} c="dimmed">
            {b.currency}
          </Text>
          <Text size="sm" c="dimmed">
            {t("wallets.available")}
          </Text>
          <Text fz="xl" fw={700}>
            {format.money(b.availableMinor, b.currency)}
          </Text>
          <Text size="sm">
            {t("wallets.pending")}: {format.money(b.pendingMinor, b.currency)}
          </Text>
          <Text size="sm">
            {t("wallets.earnedThisMonth")}: {format.money(b.earnedThisMonthMinor, b.currency)}
          </Text>
        </Card>
      ))}
    </SimpleGrid>
  );
}

function History({ history }: { history: Wallet["history"] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (history.items.length === 0) return null;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("wallets.date")}</Table.Th>
            <Table.Th>{t("wallets.description")}</Table.Th>
            <Table.Th>{t("wallets.side")}</Table.Th>
            <Table.Th style={{ textAlign: "end" }}>{t("wallets.amount")}</Table.Th>
            <Table.Th style={{ textAlign: "end" }}>{t("wallets.balanceAfter")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {history.items.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>{format.dateTime(e.createdAt)}</Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {t(`wallets.kinds.${e.kind}`)}
                </Text>
                <Text size="sm" c="dimmed" dir="auto">
                  {e.description}
                </Text>
                {e.reference?.type === "tutoring_session" && (
                  <Anchor component={Link} to={`/sessions/${e.reference.id}`} size="sm">
                    {e.reference.id.slice(0, 8)}
                  </Anchor>
                )}
              </Table.Td>
              <Table.Td>{t(`wallets.sides.${e.side}`)}</Table.Td>
              <Table.Td style={{ textAlign: "end" }} c={e.amountMinor < 0 ? "red.8" : "teal.8"}>
                {e.amountMinor > 0 ? "+" : ""}
                {format.money(e.amountMinor, e.currency)}
              </Table.Td>
              <Table.Td style={{ textAlign: "end" }}>{format.money(e.balanceAfterMinor, e.currency)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

interface AdjustValues {
  direction: "credit" | "debit";
  /** major units, as typed */
  amount: MoneyInputValue;
  currency: string | null;
  reason: string;
}

/** Credit or debit one currency of the wallet with a written reason; the server checks it all again. */
function AdjustModal({ wallet, onClose }: { wallet: Wallet; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const availableIn = (currency: string) => wallet.balances.find((b) => b.currency === currency)?.availableMinor ?? 0;
  const signedMinor = (values: AdjustValues, currency: Currency) => {
    const minor = toMinorUnits(values.amount, currency);
    return minor === undefined || Number.isNaN(minor) ? minor : values.direction === "debit" ? -minor : minor;
  };
  const form = useForm<AdjustValues>({
    initialValues: { direction: "credit", amount: "", currency: wallet.balances[0]?.currency ?? null, reason: "" },
    validate: (values) => {
      const currency = Currency.safeParse(values.currency);
      const amount = currency.success ? signedMinor(values, currency.data) : undefined;
      const { amount: amountError, ...rest } = formResolver(AdjustWalletInput)({
        userId: wallet.user.id,
        currency: values.currency ?? undefined,
        amount,
        reason: values.reason,
      });
      // Said before sending, in the currency's own terms: the bound and what a debit can take.
      const max = currency.success ? WALLET_POLICY.maxAdjustmentMinor[currency.data] : undefined;
      const tooLarge =
        currency.success && max !== undefined && amount !== undefined && Math.abs(amount) > max
          ? t("wallets.tooLarge", { max: format.money(max, currency.data) })
          : undefined;
      const overAvailable =
        currency.success && amount !== undefined && amount < 0 && -amount > availableIn(currency.data)
          ? t("wallets.overAvailable", { available: format.money(availableIn(currency.data), currency.data) })
          : undefined;
      return { ...rest, amount: tooLarge ?? overAvailable ?? amountError };
    },
  });
  const adjust = trpc.admin.wallets.adjust.useMutation({
    onSuccess: (done) => {
      void utils.admin.wallets.get.invalidate({ userId: wallet.user.id });
      void utils.admin.wallets.list.invalidate();
      void utils.admin.audit.list.invalidate();
      onClose();
      notifySuccess(
        t("wallets.adjusted", {
          amount: format.money(done.amountMinor, done.currency),
          after: format.money(done.availableAfterMinor, done.currency),
        }),
      );
    },
    onError: (error) => showFormError(error, form),
  });
  const currency = Currency.safeParse(form.values.currency);
  const preview = currency.success ? signedMinor(form.values, currency.data) : undefined;

  return (
    <ReasonModal
      opened
      onClose={onClose}
      title={t("wallets.adjustTitle", { name: wallet.user.name })}
      onSubmit={form.onSubmit((values) => {
        const code = Currency.parse(values.currency);
        adjust.mutate(
          AdjustWalletInput.parse({
            userId: wallet.user.id,
            currency: code,
            amount: signedMinor(values, code),
            reason: values.reason,
          }),
        );
      })}
      label={t("wallets.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("common.cancel")}
      confirmLabel={t("common.confirm")}
      color={form.values.direction === "debit" ? "red" : undefined}
      loading={adjust.isPending}
    >
      <Text size="sm">{t("wallets.adjustText")}</Text>
      <SegmentedControl
        aria-label={t("wallets.direction")}
        data={[
          { value: "credit", label: t("wallets.credit") },
          { value: "debit", label: t("wallets.debit") },
        ]}
        {...form.getInputProps("direction")}
      />
      <Group align="flex-start" grow>
        <NumberInput
          label={t("wallets.amountLabel")}
          required
          min={0}
          allowNegative={false}
          decimalScale={currency.success ? CURRENCY_MINOR_DIGITS[currency.data] : 2}
          hideControls
          dir="ltr"
          {...form.getInputProps("amount")}
        />
        <Select
          label={t("wallets.currency")}
          required
          data={CURRENCIES.map((code) => ({ value: code, label: `${code} · ${format.currencyName(code)}` }))}
          allowDeselect={false}
          {...form.getInputProps("currency")}
        />
      </Group>
      {currency.success &&
        preview !== undefined &&
        !Number.isNaN(preview) &&
        availableIn(currency.data) + preview >= 0 && (
          <Text size="sm" c="dimmed">
            {t("wallets.preview", {
              before: format.money(availableIn(currency.data), currency.data),
              after: format.money(availableIn(currency.data) + preview, currency.data),
            })}
          </Text>
        )}
    </ReasonModal>
  );
}
