import type { RouterOutputs } from "@lectern/api/router";
import { CURRENCY_MINOR_DIGITS, type Currency, WITHDRAWAL_POLICY } from "@lectern/api-contract";
import { Alert, Anchor, Button, Group, NumberInput, PinInput, Select, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type Failure, toFailure } from "../../lib/errors";
import { useFormat } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { FailureAlert, LoadError, SectionLoader } from "../Status";

type Withdrawal = RouterOutputs["withdrawals"]["request"];

/** Refusals that are about the amount: shown beside the amount field. */
const AMOUNT_CODES = new Set([
  "WITHDRAWAL_BELOW_MINIMUM",
  "WITHDRAWAL_ABOVE_LIMIT",
  "WITHDRAWAL_DAILY_LIMIT",
  "INSUFFICIENT_FUNDS",
  "VALIDATION_FAILED",
]);
/** Refusals that are about the code: shown beside the code. */
const CODE_CODES = new Set(["WITHDRAWAL_CODE_INVALID", "WITHDRAWAL_CODE_EXPIRED", "WITHDRAWAL_CODE_ATTEMPTS"]);

/** Withdraw in two steps: method and amount (a code is emailed), then the code. */
export function WithdrawFlow({
  currency,
  available,
  onDone,
  pending,
}: {
  currency: string;
  available: number;
  onDone: () => void;
  /** a withdrawal already waiting for its code (from the history) */
  pending?: Withdrawal;
}) {
  const [withdrawal, setWithdrawal] = useState<Withdrawal | null>(pending ?? null);
  if (!withdrawal) return <AmountStep currency={currency} available={available} onRequested={setWithdrawal} />;
  if (withdrawal.status === "awaiting_code")
    return <CodeStep withdrawal={withdrawal} onChange={setWithdrawal} onDone={onDone} />;
  return <Outcome withdrawal={withdrawal} onDone={onDone} />;
}

function AmountStep({
  currency,
  available,
  onRequested,
}: {
  currency: string;
  available: number;
  onRequested: (w: Withdrawal) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const methods = trpc.withdrawals.methods.list.useQuery();
  const limits = trpc.withdrawals.limits.useQuery({ currency: currency as Currency });
  const request = trpc.withdrawals.request.useMutation();
  const [methodId, setMethodId] = useState<string | null>(null);
  const [amount, setAmount] = useState<number | string>("");
  const [failure, setFailure] = useState<Failure | null>(null);
  const digits = CURRENCY_MINOR_DIGITS[currency as Currency] ?? 2;

  if (methods.isPending || limits.isPending) return <SectionLoader />;
  if (methods.isError) return <LoadError error={methods.error} onRetry={() => void methods.refetch()} />;
  if (limits.isError) return <LoadError error={limits.error} onRetry={() => void limits.refetch()} />;
  const usable = methods.data.filter((m) => m.currency === currency && m.status === "ready");
  if (usable.length === 0)
    return (
      <Stack>
        <Text>{t("withdrawals.noMethod", { currency })}</Text>
        <Anchor component={Link} to="/wallet/payout-methods">
          {t("withdrawals.addMethod")}
        </Anchor>
      </Stack>
    );
  const chosen = methodId ?? usable[0]?.id ?? null;
  const l = limits.data;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const minor = Math.round(Number(amount) * 10 ** digits);
    if (!chosen || !Number.isFinite(minor) || minor <= 0) {
      setFailure({ code: "VALIDATION_FAILED", message: t("validation.required"), fieldErrors: {} });
      return;
    }
    try {
      onRequested(await request.mutateAsync({ currency: currency as Currency, amount: minor, methodId: chosen }));
    } catch (error) {
      setFailure(toFailure(error, t));
    }
  };
  const amountError = failure && AMOUNT_CODES.has(failure.code) ? failure.message : undefined;

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          {t("withdrawals.available", { amount: format.money(available, currency) })}
        </Text>
        {failure && !amountError && <FailureAlert message={failure.message} />}
        <Select
          label={t("withdrawals.method")}
          data={usable.map((m) => ({ value: m.id, label: m.label }))}
          value={chosen}
          onChange={setMethodId}
          allowDeselect={false}
        />
        <NumberInput
          label={t("withdrawals.amount")}
          description={t("withdrawals.limits", {
            min: format.money(l.minAmount, currency),
            max: format.money(l.perWithdrawal, currency),
            left: format.money(l.leftToday, currency),
          })}
          value={amount}
          onChange={setAmount}
          min={0}
          decimalScale={digits}
          inputMode="decimal"
          error={amountError}
          required
        />
        <Button type="submit" loading={request.isPending}>
          {t("withdrawals.continue")}
        </Button>
      </Stack>
    </form>
  );
}

function CodeStep({
  withdrawal,
  onChange,
  onDone,
}: {
  withdrawal: Withdrawal;
  onChange: (w: Withdrawal) => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const confirm = trpc.withdrawals.confirm.useMutation();
  const cancel = trpc.withdrawals.cancel.useMutation();
  const [code, setCode] = useState("");
  const [failure, setFailure] = useState<Failure | null>(null);
  const refresh = () => Promise.all([utils.withdrawals.invalidate(), utils.wallet.invalidate()]);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      onChange(await confirm.mutateAsync({ withdrawalId: withdrawal.id, code }));
      await refresh();
    } catch (error) {
      setFailure(toFailure(error, t));
      setCode("");
      if ((error as { data?: { appCode?: string } }).data?.appCode === "WITHDRAWAL_CODE_ATTEMPTS") await refresh();
    }
  };
  const onCancel = async () => {
    try {
      await cancel.mutateAsync({ withdrawalId: withdrawal.id });
      await refresh();
      onDone();
    } catch (error) {
      setFailure(toFailure(error, t));
    }
  };
  const codeError = failure && CODE_CODES.has(failure.code) ? failure.message : undefined;

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text fw={600}>{t("withdrawals.codeTitle")}</Text>
        <Text size="sm" c="dimmed">
          {format.money(withdrawal.amount, withdrawal.currency)} ·{" "}
          {t("withdrawals.codeHint", { minutes: WITHDRAWAL_POLICY.codeTtlMinutes })}
        </Text>
        {failure && !codeError && <FailureAlert message={failure.message} />}
        <Stack gap={4}>
          <Text component="label" size="sm" fw={500} id="withdrawal-code-label">
            {t("withdrawals.code")}
          </Text>
          {/* Digits read left to right in both languages. */}
          <Group dir="ltr" justify="flex-start">
            <PinInput
              length={WITHDRAWAL_POLICY.codeDigits}
              type="number"
              oneTimeCode
              value={code}
              onChange={setCode}
              error={Boolean(codeError)}
              aria-labelledby="withdrawal-code-label"
              inputMode="numeric"
              size="md"
            />
          </Group>
          {codeError && (
            <Text size="sm" c="red" role="alert">
              {codeError}
            </Text>
          )}
        </Stack>
        <Group>
          <Button type="submit" loading={confirm.isPending} disabled={code.length !== WITHDRAWAL_POLICY.codeDigits}>
            {t("withdrawals.confirm")}
          </Button>
          <Button variant="subtle" color="gray" onClick={() => void onCancel()} loading={cancel.isPending}>
            {t("withdrawals.cancel")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Outcome({ withdrawal, onDone }: { withdrawal: Withdrawal; onDone: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const amount = format.money(withdrawal.amount, withdrawal.currency);
  const message =
    withdrawal.status === "in_review"
      ? t("withdrawals.inReview", { amount })
      : withdrawal.status === "cancelled"
        ? t("withdrawals.cancelled")
        : t("withdrawals.approved", { amount });
  return (
    <Stack>
      <Alert color={withdrawal.status === "cancelled" ? "gray" : "teal"} role="status">
        {message}
      </Alert>
      <Button onClick={onDone}>{t("withdrawals.close")}</Button>
    </Stack>
  );
}
