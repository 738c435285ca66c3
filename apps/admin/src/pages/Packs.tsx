import type { RouterOutputs } from "@lectern/api/router";
import {
  CreatePackInput,
  CURRENCIES,
  CURRENCY_MINOR_DIGITS,
  type Currency,
  PACK_MAX_PRICE_MINOR,
  PACK_MAX_SESSIONS,
  PACK_MAX_VALIDITY_DAYS,
  PACK_NAME_MAX,
  type PackPrices,
  TUTORING_POLICY,
} from "@lectern/api-contract";
import {
  Badge,
  Button,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { QueryState } from "../components/QueryState.tsx";
import { formResolver, notifyError, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { type MoneyInputValue, toMinorUnits, toMoneyInput } from "../lib/money.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Pack = RouterOutputs["admin"]["packs"]["list"][number];

export function PacksPage() {
  const { t } = useTranslation();
  usePageTitle(t("packs.title"));
  const format = useFormat();
  const packs = trpc.admin.packs.list.useQuery();
  // null: closed; "new": the create form; a pack: its edit form.
  const [editing, setEditing] = useState<Pack | "new" | null>(null);

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {t("packs.title")}
          </Title>
          <Text c="dimmed" size="sm">
            {t("packs.intro")}
          </Text>
        </div>
        <Button onClick={() => setEditing("new")}>{t("packs.new")}</Button>
      </Group>
      <QueryState query={packs}>
        {(items) => (
          <>
            <Table.ScrollContainer minWidth={860}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("packs.name")}</Table.Th>
                    <Table.Th>{t("packs.sessions")}</Table.Th>
                    <Table.Th>{t("packs.sessionLength")}</Table.Th>
                    <Table.Th>{t("packs.validity")}</Table.Th>
                    <Table.Th>{t("packs.prices")}</Table.Th>
                    <Table.Th>{t("packs.granted")}</Table.Th>
                    <Table.Th>{t("packs.status")}</Table.Th>
                    <Table.Th>{t("packs.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((pack) => (
                    <Table.Tr key={pack.id}>
                      <Table.Td dir="auto">{pack.name}</Table.Td>
                      <Table.Td>{format.number(pack.sessions)}</Table.Td>
                      <Table.Td>{t("common.minutes", { minutes: format.number(pack.sessionMinutes) })}</Table.Td>
                      <Table.Td>{format.number(pack.validityDays)}</Table.Td>
                      <Table.Td>
                        <Prices prices={pack.prices} />
                      </Table.Td>
                      <Table.Td>{format.number(pack.lotsGranted)}</Table.Td>
                      <Table.Td>
                        <Badge color={pack.active ? "green" : "gray"} variant="light">
                          {t(pack.active ? "packs.active" : "packs.inactive")}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <PackActions pack={pack} onEdit={() => setEditing(pack)} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {items.length === 0 && (
              <Text c="dimmed" ta="center">
                {t("packs.empty")}
              </Text>
            )}
          </>
        )}
      </QueryState>
      <PackModal
        // A fresh form for every pack opened.
        key={editing === null ? "closed" : editing === "new" ? "new" : editing.id}
        pack={editing}
        onClose={() => setEditing(null)}
      />
    </Stack>
  );
}

/** Each price the pack is sold at, in its currency; a dash when it is not for sale in any. */
function Prices({ prices }: { prices: PackPrices }) {
  const format = useFormat();
  const offered = CURRENCIES.flatMap((currency) => {
    const amount = prices[currency];
    return amount === undefined ? [] : [{ currency, amount }];
  });
  if (offered.length === 0) return <Text c="dimmed">—</Text>;
  return (
    <Stack gap={2}>
      {offered.map(({ currency, amount }) => (
        <Text key={currency} size="sm" style={{ whiteSpace: "nowrap" }}>
          {format.money(amount, currency)}
        </Text>
      ))}
    </Stack>
  );
}

function PackActions({ pack, onEdit }: { pack: Pack; onEdit: () => void }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const setActive = trpc.admin.packs.setActive.useMutation({
    onSuccess: (updated) => {
      void utils.admin.packs.list.invalidate();
      void utils.admin.audit.list.invalidate();
      notifySuccess(t(updated.active ? "packs.activated" : "packs.deactivated", { name: updated.name }));
    },
    onError: notifyError,
  });
  return (
    <Group gap="xs" wrap="nowrap">
      {/* One of these per row: the label names the pack. */}
      <Button size="compact-sm" variant="default" onClick={onEdit} aria-label={`${t("packs.edit")}: ${pack.name}`}>
        {t("packs.edit")}
      </Button>
      <Button
        size="compact-sm"
        variant="light"
        color={pack.active ? "red" : "green"}
        loading={setActive.isPending}
        onClick={() => setActive.mutate({ packId: pack.id, active: !pack.active })}
        aria-label={`${t(pack.active ? "packs.deactivate" : "packs.activate")}: ${pack.name}`}
      >
        {t(pack.active ? "packs.deactivate" : "packs.activate")}
      </Button>
    </Group>
  );
}

interface PackFormValues {
  name: string;
  sessions: number | string;
  sessionMinutes: string;
  validityDays: number | string;
  /** Major units, as typed; empty means not sold in that currency. */
  prices: Record<Currency, MoneyInputValue>;
}

const emptyPrices = () => Object.fromEntries(CURRENCIES.map((c) => [c, ""])) as Record<Currency, MoneyInputValue>;

function initialValues(pack: Pack | null): PackFormValues {
  if (!pack)
    return {
      name: "",
      sessions: "",
      sessionMinutes: String(TUTORING_POLICY.defaultSessionMinutes),
      validityDays: TUTORING_POLICY.defaultPackValidityDays,
      prices: emptyPrices(),
    };
  const prices = emptyPrices();
  for (const currency of CURRENCIES) prices[currency] = toMoneyInput(pack.prices[currency], currency);
  return {
    name: pack.name,
    sessions: pack.sessions,
    sessionMinutes: String(pack.sessionMinutes),
    validityDays: pack.validityDays,
    prices,
  };
}

/** An empty number field reaches the schema as undefined, which it reports as required. */
const numberOrUndefined = (value: number | string) => (value === "" ? undefined : Number(value));

/** The form's values as the API takes them: prices in minor units, only the currencies filled in. */
function toInput(values: PackFormValues) {
  const prices: Partial<Record<Currency, number>> = {};
  for (const currency of CURRENCIES) {
    const minor = toMinorUnits(values.prices[currency], currency);
    if (minor !== undefined) prices[currency] = minor;
  }
  return {
    name: values.name,
    sessions: numberOrUndefined(values.sessions),
    sessionMinutes: numberOrUndefined(values.sessionMinutes),
    validityDays: numberOrUndefined(values.validityDays),
    prices,
  };
}

const validatePack = formResolver(CreatePackInput);

function PackModal({ pack, onClose }: { pack: Pack | "new" | null; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const existing = pack !== null && pack !== "new" ? pack : null;
  const form = useForm<PackFormValues>({
    initialValues: initialValues(existing),
    validate: (values) => validatePack(toInput(values)),
  });
  const onSaved = (saved: { name: string }) => {
    void utils.admin.packs.list.invalidate();
    void utils.admin.audit.list.invalidate();
    onClose();
    notifySuccess(t(existing ? "packs.saved" : "packs.created", { name: saved.name }));
  };
  const onError = (error: unknown) => showFormError(error, form);
  const create = trpc.admin.packs.create.useMutation({ onSuccess: onSaved, onError });
  const update = trpc.admin.packs.update.useMutation({ onSuccess: onSaved, onError });

  const submit = form.onSubmit((values) => {
    const input = CreatePackInput.parse(toInput(values));
    if (existing) update.mutate({ ...input, packId: existing.id });
    else create.mutate(input);
  });

  return (
    <Modal
      opened={pack !== null}
      onClose={onClose}
      title={existing ? t("packs.editTitle", { name: existing.name }) : t("packs.newTitle")}
      size="lg"
      centered
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {existing && <Text size="sm">{t("packs.editNote")}</Text>}
          <TextInput
            label={t("packs.name")}
            required
            maxLength={PACK_NAME_MAX}
            data-autofocus
            dir="auto"
            {...form.getInputProps("name")}
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label={t("packs.sessions")}
              required
              min={1}
              max={PACK_MAX_SESSIONS}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps("sessions")}
            />
            <Select
              label={t("packs.sessionLength")}
              required
              data={TUTORING_POLICY.sessionLengths.map((minutes) => ({
                value: String(minutes),
                label: t("common.minutes", { minutes: format.number(minutes) }),
              }))}
              allowDeselect={false}
              {...form.getInputProps("sessionMinutes")}
            />
            <NumberInput
              label={t("packs.validity")}
              required
              min={1}
              max={PACK_MAX_VALIDITY_DAYS}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps("validityDays")}
            />
          </SimpleGrid>
          <Fieldset legend={t("packs.prices")}>
            <Text c="dimmed" size="xs" mb="sm">
              {t("packs.pricesHint")}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {CURRENCIES.map((currency) => (
                <NumberInput
                  key={currency}
                  label={t("packs.price", { currency })}
                  description={format.currencyName(currency)}
                  min={0}
                  max={PACK_MAX_PRICE_MINOR / 10 ** CURRENCY_MINOR_DIGITS[currency]}
                  allowNegative={false}
                  decimalScale={CURRENCY_MINOR_DIGITS[currency]}
                  hideControls
                  dir="ltr"
                  {...form.getInputProps(`prices.${currency}`)}
                />
              ))}
            </SimpleGrid>
          </Fieldset>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending || update.isPending}>
              {t("packs.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
