import type { RouterOutputs } from "@lectern/api/router";
import {
  CURRENCIES,
  CURRENCY_MINOR_DIGITS,
  Currency,
  ListTeachersInput,
  SetTeacherRateInput,
  TUTORING_POLICY,
} from "@lectern/api-contract";
import { Anchor, Button, Group, Modal, NumberInput, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { formResolver, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { type MoneyInputValue, toMinorUnits, toMoneyInput } from "../lib/money.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Teacher = RouterOutputs["admin"]["teachers"]["list"]["items"][number];

export function TeachersPage() {
  const { t } = useTranslation();
  usePageTitle(t("teachers.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const parsed = ListTeachersInput.safeParse({ query: params.get("q") ?? "", page });
  const input = parsed.success ? parsed.data : ListTeachersInput.parse({});
  const teachers = trpc.admin.teachers.list.useQuery(input, { placeholderData: keepPreviousData });
  const [rating, setRating] = useState<Teacher | null>(null);

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("teachers.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("teachers.intro")}
        </Text>
      </div>
      <FilterInput
        label={t("teachers.search")}
        placeholder={t("teachers.searchPlaceholder")}
        value={input.query}
        onChange={(q) => update({ q })}
        maw={360}
      />
      <QueryState query={teachers}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("teachers.name")}</Table.Th>
                    <Table.Th>{t("teachers.email")}</Table.Th>
                    <Table.Th>{t("teachers.rate")}</Table.Th>
                    <Table.Th>{t("teachers.completed")}</Table.Th>
                    <Table.Th>{t("teachers.booked")}</Table.Th>
                    <Table.Th>{t("teachers.actions")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((teacher) => (
                    <Table.Tr key={teacher.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/users/${teacher.id}`} dir="auto">
                          {teacher.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{teacher.email}</Table.Td>
                      <Table.Td>
                        {teacher.hourlyRateMinor !== null && teacher.rateCurrency ? (
                          format.money(teacher.hourlyRateMinor, teacher.rateCurrency)
                        ) : (
                          <Text size="sm" c="dimmed" span>
                            {t("teachers.noRate")}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{format.number(teacher.sessionsCompleted)}</Table.Td>
                      <Table.Td>{format.number(teacher.sessionsBooked)}</Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => setRating(teacher)}
                          aria-label={`${t("teachers.setRate")}: ${teacher.name}`}
                        >
                          {t("teachers.setRate")}
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("teachers.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
      <RateModal key={rating?.id ?? "closed"} teacher={rating} onClose={() => setRating(null)} />
    </Stack>
  );
}

const RateFields = SetTeacherRateInput.omit({ teacherId: true });

interface RateFormValues {
  /** Major units, as typed. */
  rate: MoneyInputValue;
  currency: string | null;
}

function RateModal({ teacher, onClose }: { teacher: Teacher | null; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const initialCurrency = Currency.safeParse(teacher?.rateCurrency);
  const form = useForm<RateFormValues>({
    initialValues: {
      rate: initialCurrency.success ? toMoneyInput(teacher?.hourlyRateMinor, initialCurrency.data) : "",
      currency: initialCurrency.success ? initialCurrency.data : null,
    },
    validate: (values) => {
      const currency = Currency.safeParse(values.currency);
      // Until a currency is chosen the amount's decimals are unknown; two is every currency's today.
      const minor = toMinorUnits(values.rate, currency.success ? currency.data : "USD");
      const errors = formResolver(RateFields)({ hourlyRateMinor: minor, rateCurrency: values.currency ?? undefined });
      // The schema names the amount in minor units; the form shows it as the rate.
      const { hourlyRateMinor: rate, rateCurrency: currencyError, ...rest } = errors;
      // The per-currency maximum the server enforces (RATE_TOO_HIGH), said before sending.
      const max = currency.success ? TUTORING_POLICY.maxHourlyRateMinor[currency.data] : undefined;
      const tooHigh =
        currency.success && max !== undefined && minor !== undefined && minor > max
          ? t("teachers.rateTooHigh", { max: format.money(max, currency.data) })
          : undefined;
      return { ...rest, rate: rate ?? tooHigh, currency: currencyError };
    },
  });
  const currency = Currency.safeParse(form.values.currency);
  const setRate = trpc.admin.teachers.setRate.useMutation({
    onSuccess: (updated) => {
      void utils.admin.teachers.list.invalidate();
      void utils.admin.audit.list.invalidate();
      onClose();
      notifySuccess(
        updated.hourlyRateMinor !== null && updated.rateCurrency
          ? t("teachers.rateSaved", {
              name: updated.name,
              rate: format.money(updated.hourlyRateMinor, updated.rateCurrency),
            })
          : t("teachers.rateSavedPlain", { name: updated.name }),
      );
    },
    onError: (error) => showFormError(error, form, { fields: { hourlyRateMinor: "rate", rateCurrency: "currency" } }),
  });

  const submit = form.onSubmit((values) => {
    if (!teacher) return;
    const input = SetTeacherRateInput.parse({
      teacherId: teacher.id,
      rateCurrency: values.currency,
      hourlyRateMinor: toMinorUnits(values.rate, Currency.parse(values.currency)),
    });
    setRate.mutate(input);
  });

  return (
    <Modal
      opened={teacher !== null}
      onClose={onClose}
      title={teacher ? t("teachers.rateTitle", { name: teacher.name }) : ""}
      centered
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">{t("teachers.rateText")}</Text>
          <Group align="flex-start" grow>
            <NumberInput
              label={t("teachers.rate")}
              required
              min={0}
              allowNegative={false}
              decimalScale={currency.success ? CURRENCY_MINOR_DIGITS[currency.data] : 2}
              hideControls
              dir="ltr"
              data-autofocus
              {...form.getInputProps("rate")}
            />
            <Select
              label={t("teachers.currency")}
              required
              data={CURRENCIES.map((code) => ({ value: code, label: `${code} · ${format.currencyName(code)}` }))}
              allowDeselect={false}
              {...form.getInputProps("currency")}
            />
          </Group>
          {currency.success && <RatePreview rate={form.values.rate} currency={currency.data} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={setRate.isPending}>
              {t("common.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The rate as it will be shown, so the admin sees the currency and decimals they are about to save. */
function RatePreview({ rate, currency }: { rate: MoneyInputValue; currency: Currency }) {
  const { t } = useTranslation();
  const format = useFormat();
  const minor = toMinorUnits(rate, currency);
  if (minor === undefined || Number.isNaN(minor)) return null;
  return (
    <Text size="sm" c="dimmed">
      {t("teachers.ratePreview", { rate: format.money(minor, currency) })}
    </Text>
  );
}
