import { type AddPayoutMethodInput, CURRENCIES, type Currency, type PayoutMethodKind } from "@lectern/api-contract";
import { Badge, Button, Card, Group, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { type Failure, toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

/** Where withdrawals are paid: the creator's methods, one currency each, and a form to add one. */
export function PayoutMethodsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={860}>
      <Stack gap={4}>
        <PageHeading>{t("withdrawals.methods.title")}</PageHeading>
        <Text c="dimmed" size="sm">
          {t("withdrawals.methods.intro")}
        </Text>
      </Stack>
      <TeachersOnly>
        <MethodList />
        <AddMethod />
      </TeachersOnly>
    </Stack>
  );
}

function MethodList() {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const methods = trpc.withdrawals.methods.list.useQuery();
  const [failure, setFailure] = useState<Failure | null>(null);
  const onboarding = trpc.withdrawals.methods.onboardingLink.useMutation({
    onSuccess: ({ url }) => window.location.assign(url),
    onError: (error) => setFailure(toFailure(error, t)),
  });
  const refresh = trpc.withdrawals.methods.refresh.useMutation({
    onSuccess: () => utils.withdrawals.methods.invalidate(),
  });
  // Back from Stripe's onboarding (?method=…): ask Stripe once whether the account can be paid now.
  const [params] = useSearchParams();
  const returned = params.get("method");
  const asked = useRef(false);
  useEffect(() => {
    if (!returned || asked.current) return;
    asked.current = true;
    refresh.mutate({ methodId: returned });
  }, [returned, refresh]);
  const remove = trpc.withdrawals.methods.remove.useMutation({
    onSuccess: async () => {
      await utils.withdrawals.methods.invalidate();
      notifications.show({ color: "teal", message: t("withdrawals.methods.removed") });
    },
    onError: (error) => setFailure(toFailure(error, t)),
  });
  if (methods.isPending) return <SectionLoader />;
  if (methods.isError) return <LoadError error={methods.error} onRetry={() => void methods.refetch()} />;
  if (methods.data.length === 0) return <Text c="dimmed">{t("withdrawals.methods.empty")}</Text>;
  return (
    <Card withBorder radius="md" padding={0}>
      <FailureAlert message={failure?.message} />
      <Table.ScrollContainer
        minWidth={480}
        type="native"
        tabIndex={0}
        role="region"
        aria-label={t("withdrawals.methods.title")}
      >
        <Table verticalSpacing="sm" horizontalSpacing="md">
          <Table.Tbody>
            {methods.data.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>
                  <Text fw={600} style={{ unicodeBidi: "plaintext" }}>
                    {m.label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t(`withdrawals.methods.kinds.${m.kind}`)} · {format.date(new Date(m.createdAt))}
                  </Text>
                </Table.Td>
                <Table.Td>{m.currency}</Table.Td>
                <Table.Td>
                  <Badge color={m.status === "ready" ? "teal" : "yellow"} variant="light">
                    {t(`withdrawals.methods.${m.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {m.kind === "stripe_connect" && m.status === "pending" && (
                    <Button
                      size="xs"
                      variant="light"
                      me="xs"
                      loading={onboarding.isPending && onboarding.variables?.methodId === m.id}
                      onClick={() => onboarding.mutate({ methodId: m.id })}
                    >
                      {t("withdrawals.methods.continueSetup")}
                    </Button>
                  )}
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    loading={remove.isPending && remove.variables?.methodId === m.id}
                    onClick={() => {
                      setFailure(null);
                      remove.mutate({ methodId: m.id });
                    }}
                  >
                    {t("withdrawals.methods.remove")}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  );
}

const EMPTY_BANK = { accountName: "", bankName: "", accountNumber: "", routing: "", bankCode: "" };

function AddMethod() {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const available = trpc.withdrawals.methods.available.useQuery();
  const add = trpc.withdrawals.methods.add.useMutation();
  const [currency, setCurrency] = useState<Currency>("USD");
  const [kind, setKind] = useState<PayoutMethodKind | null>(null);
  const [bank, setBank] = useState(EMPTY_BANK);
  const [failure, setFailure] = useState<Failure | null>(null);
  if (available.isPending) return <SectionLoader />;
  if (available.isError) return <LoadError error={available.error} onRetry={() => void available.refetch()} />;
  const kinds = available.data.find((a) => a.currency === currency)?.kinds ?? [];
  const offered = kinds;
  const chosen = offered.find((k) => k === kind) ?? offered[0] ?? null;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFailure(null);
    if (!chosen) return;
    const input = ((): AddPayoutMethodInput => {
      switch (chosen) {
        case "manual":
          return {
            kind: "manual",
            currency,
            accountName: bank.accountName,
            bankName: bank.bankName,
            accountNumber: bank.accountNumber,
            routing: bank.routing || undefined,
          };
        case "paystack":
          return { kind: "paystack", currency: "NGN", bankCode: bank.bankCode, accountNumber: bank.accountNumber };
        case "stripe_connect":
          return { kind: "stripe_connect", currency: currency as "USD" | "GBP" | "EUR" };
        default:
          return { kind: "local", currency };
      }
    })();
    try {
      const added = await add.mutateAsync(input);
      // Stripe collects the creator's details on its own pages, then sends them back here.
      if (added.onboardingUrl) {
        window.location.assign(added.onboardingUrl);
        return;
      }
      setBank(EMPTY_BANK);
      await utils.withdrawals.methods.invalidate();
      notifications.show({ color: "teal", message: t("withdrawals.methods.added") });
    } catch (error) {
      setFailure(toFailure(error, t));
    }
  };
  const field = (name: keyof typeof EMPTY_BANK) => ({
    value: bank[name],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setBank({ ...bank, [name]: e.currentTarget.value }),
    error: failure?.fieldErrors[name],
  });

  return (
    <Card withBorder radius="md" padding="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} fz="h4">
            {t("withdrawals.addMethod")}
          </Title>
          <FailureAlert
            message={failure && Object.keys(failure.fieldErrors).length === 0 ? failure.message : undefined}
          />
          <Group grow wrap="wrap" align="flex-start">
            <Select
              label={t("withdrawals.methods.currency")}
              data={[...CURRENCIES]}
              value={currency}
              onChange={(value) => value && setCurrency(value as Currency)}
              allowDeselect={false}
            />
            <Select
              label={t("withdrawals.methods.kind")}
              data={offered.map((k) => ({ value: k, label: t(`withdrawals.methods.kinds.${k}`) }))}
              value={chosen}
              onChange={(value) => setKind(value as PayoutMethodKind)}
              allowDeselect={false}
              error={offered.length === 0 ? t("withdrawals.methods.unavailable", { currency }) : undefined}
            />
          </Group>
          {chosen === "local" && (
            <Text size="sm" c="dimmed">
              {t("withdrawals.methods.localHint")}
            </Text>
          )}
          {chosen === "paystack" && <PaystackFields bank={bank} setBank={setBank} failure={failure} />}
          {chosen === "stripe_connect" && (
            <Text size="sm" c="dimmed">
              {t("withdrawals.methods.stripeHint")}
            </Text>
          )}
          {chosen === "manual" && (
            <>
              <TextInput label={t("withdrawals.methods.accountName")} required {...field("accountName")} />
              <TextInput label={t("withdrawals.methods.bankName")} required {...field("bankName")} />
              <TextInput
                label={t("withdrawals.methods.accountNumber")}
                dir="ltr"
                required
                {...field("accountNumber")}
              />
              <TextInput label={t("withdrawals.methods.routing")} dir="ltr" {...field("routing")} />
            </>
          )}
          <Button type="submit" loading={add.isPending} disabled={!chosen} style={{ alignSelf: "flex-start" }}>
            {t("withdrawals.methods.add")}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function PaystackFields({
  bank,
  setBank,
  failure,
}: {
  bank: typeof EMPTY_BANK;
  setBank: (bank: typeof EMPTY_BANK) => void;
  failure: Failure | null;
}) {
  const { t } = useTranslation();
  const banks = trpc.withdrawals.methods.banks.useQuery();
  return (
    <>
      <Select
        label={t("withdrawals.methods.bankName")}
        data={(banks.data ?? []).map((b) => ({ value: b.code, label: b.name }))}
        value={bank.bankCode || null}
        onChange={(bankCode) => setBank({ ...bank, bankCode: bankCode ?? "" })}
        searchable
        required
        error={failure?.fieldErrors.bankCode}
      />
      <TextInput
        label={t("withdrawals.methods.nuban")}
        dir="ltr"
        inputMode="numeric"
        required
        value={bank.accountNumber}
        onChange={(e) => setBank({ ...bank, accountNumber: e.currentTarget.value })}
        error={failure?.fieldErrors.accountNumber}
      />
    </>
  );
}
