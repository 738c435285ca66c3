import type { RouterOutputs } from "@lectern/api/router";
import {
  AddAvailabilityOverrideInput,
  type AvailabilityRuleInput,
  SetWeeklyAvailabilityInput,
  TUTORING_POLICY,
} from "@lectern/api-contract";
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  CloseButton,
  Group,
  NativeSelect,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, PageLoader } from "../components/Status";
import { TeachersOnly } from "../components/tutoring/TeachersOnly";
import { toFailure } from "../lib/errors";
import { useSchemaForm, useSubmit } from "../lib/forms";
import { trpc } from "../lib/trpc";
import { dayKeyOf, firstDayOfWeek, MINUTES_PER_DAY, useTimeFormat } from "../lib/tutoring";

type Availability = RouterOutputs["tutoring"]["availability"]["get"];
type Override = Availability["overrides"][number];

const STEP = TUTORING_POLICY.slotStepMinutes;
const STARTS = Array.from({ length: MINUTES_PER_DAY / STEP }, (_, i) => i * STEP);
const ENDS = STARTS.map((m) => m + STEP);
const DEFAULT_RANGE = { startMinute: 9 * 60, endMinute: 17 * 60 };

/** The teacher's weekly hours and date changes, in their own time zone. */
export function AvailabilityPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="lg" maw={860}>
      <PageHeading>{t("availability.title")}</PageHeading>
      <TeachersOnly>
        <AvailabilityLoader />
      </TeachersOnly>
    </Stack>
  );
}

function AvailabilityLoader() {
  const { t } = useTranslation();
  const availability = trpc.tutoring.availability.get.useQuery();
  if (availability.isPending) return <PageLoader />;
  if (availability.isError) return <LoadError error={availability.error} onRetry={() => void availability.refetch()} />;
  const { timezone } = availability.data;
  return (
    <Stack gap="lg">
      <Alert color="blue" role="note">
        {t("availability.timezone", { timezone })}{" "}
        <Anchor component={Link} to="/profile" inherit>
          {t("availability.changeTimezone")}
        </Anchor>
      </Alert>
      <WeeklyHours availability={availability.data} />
      <DateChanges availability={availability.data} />
    </Stack>
  );
}

// Weekly hours

type RuleRow = AvailabilityRuleInput & { key: string };
let rowCounter = 0;
const newKey = () => {
  rowCounter += 1;
  return `rule-${rowCounter}`;
};

function WeeklyHours({ availability }: { availability: Availability }) {
  const { t, i18n } = useTranslation();
  const format = useTimeFormat(availability.timezone);
  const utils = trpc.useUtils();
  const save = trpc.tutoring.availability.setWeekly.useMutation();
  const [initialRules] = useState<RuleRow[]>(() =>
    availability.rules.map(({ weekday, startMinute, endMinute }) => ({
      weekday,
      startMinute,
      endMinute,
      key: newKey(),
    })),
  );
  const form = useSchemaForm(SetWeeklyAvailabilityInput, { rules: initialRules });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    const saved = await save.mutateAsync(values);
    utils.tutoring.availability.get.setData(undefined, saved);
    await utils.tutoring.teachers.invalidate();
    form.resetDirty();
    notifications.show({ color: "teal", message: t("availability.saved") });
  });

  const rules = form.getValues().rules as RuleRow[];
  const firstDay = firstDayOfWeek(i18n.language);
  const weekdays = Array.from({ length: 7 }, (_, i) => (firstDay + i) % 7);

  /** Ranges on one day must not overlap: say where before asking the server. */
  const submit = (event?: React.FormEvent<HTMLFormElement>) => {
    const clashes = overlaps(rules);
    if (clashes.length > 0) {
      event?.preventDefault();
      for (const index of clashes) form.setFieldError(`rules.${index}.startMinute`, t("availability.overlap"));
      return;
    }
    onSubmit(event);
  };

  const add = (weekday: number) => {
    const sameDay = rules.filter((r) => r.weekday === weekday);
    const lastEnd = Math.max(0, ...sameDay.map((r) => r.endMinute));
    const range =
      sameDay.length === 0
        ? DEFAULT_RANGE
        : lastEnd + STEP <= MINUTES_PER_DAY
          ? { startMinute: lastEnd, endMinute: Math.min(MINUTES_PER_DAY, lastEnd + 60) }
          : DEFAULT_RANGE;
    form.insertListItem("rules", { weekday, ...range, key: newKey() });
  };

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="weekly-hours">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Stack gap={4}>
            <Title order={2} fz="h4" id="weekly-hours">
              {t("availability.weekly")}
            </Title>
            <Text size="sm" c="dimmed">
              {t("availability.weeklyHint")}
            </Text>
          </Stack>
          <FailureAlert message={failure?.message} />
          {weekdays.map((weekday) => (
            <DayEditor
              key={weekday}
              dayName={format.weekday(weekday)}
              rows={rules.map((rule, index) => ({ rule, index })).filter(({ rule }) => rule.weekday === weekday)}
              form={form}
              formatMinute={format.minuteOfDay}
              onAdd={() => add(weekday)}
            />
          ))}
          <Group>
            <Button type="submit" loading={form.submitting}>
              {t("availability.save")}
            </Button>
            {form.isDirty() && (
              <Text size="sm" c="dimmed" role="status">
                {t("availability.unsaved")}
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Indexes of ranges that overlap an earlier range on the same weekday. */
function overlaps(rules: AvailabilityRuleInput[]): number[] {
  const clashes: number[] = [];
  rules.forEach((rule, index) => {
    const clash = rules.some(
      (other, j) =>
        j < index &&
        other.weekday === rule.weekday &&
        other.startMinute < rule.endMinute &&
        rule.startMinute < other.endMinute,
    );
    if (clash) clashes.push(index);
  });
  return clashes;
}

type WeeklyForm = ReturnType<typeof useSchemaForm<typeof SetWeeklyAvailabilityInput>>;

function DayEditor({
  dayName,
  rows,
  form,
  formatMinute,
  onAdd,
}: {
  dayName: string;
  rows: { rule: RuleRow; index: number }[];
  form: WeeklyForm;
  formatMinute: (minute: number) => string;
  onAdd: () => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const startOptions = useMemo(() => STARTS.map((m) => ({ value: String(m), label: formatMinute(m) })), [formatMinute]);
  const endOptions = useMemo(() => ENDS.map((m) => ({ value: String(m), label: formatMinute(m) })), [formatMinute]);
  const minuteProps = (path: string) => {
    const props = form.getInputProps(path);
    return {
      ...props,
      value: String(props.value),
      onChange: (event: React.ChangeEvent<HTMLSelectElement>) => form.setFieldValue(path, Number(event.target.value)),
    };
  };
  return (
    <Stack gap={6} role="group" aria-labelledby={headingId}>
      <Group justify="space-between">
        <Text fw={600} id={headingId}>
          {dayName}
        </Text>
        <Button
          variant="subtle"
          size="compact-sm"
          onClick={onAdd}
          aria-label={t("availability.addHoursOn", { day: dayName })}
        >
          {t("availability.addHours")}
        </Button>
      </Group>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("availability.unavailable")}
        </Text>
      ) : (
        rows.map(({ rule, index }) => (
          <Group key={rule.key} gap="xs" align="flex-start" wrap="nowrap">
            <NativeSelect
              label={t("availability.from")}
              aria-label={t("availability.fromOn", { day: dayName })}
              data={startOptions}
              size="xs"
              {...minuteProps(`rules.${index}.startMinute`)}
            />
            <NativeSelect
              label={t("availability.to")}
              aria-label={t("availability.toOn", { day: dayName })}
              data={endOptions}
              size="xs"
              {...minuteProps(`rules.${index}.endMinute`)}
            />
            <CloseButton
              mt={22}
              aria-label={t("availability.removeRange", {
                day: dayName,
                range: `${formatMinute(rule.startMinute)}–${formatMinute(rule.endMinute)}`,
              })}
              onClick={() => form.removeListItem("rules", index)}
            />
          </Group>
        ))
      )}
    </Stack>
  );
}

// Date changes: time off and extra hours

function DateChanges({ availability }: { availability: Availability }) {
  const { t } = useTranslation();
  const format = useTimeFormat(availability.timezone);
  const utils = trpc.useUtils();
  const remove = trpc.tutoring.availability.removeOverride.useMutation({
    onSuccess: async () => {
      await Promise.all([utils.tutoring.availability.get.invalidate(), utils.tutoring.teachers.invalidate()]);
      notifications.show({ color: "teal", message: t("availability.overrideRemoved") });
    },
    onError: (error) => notifications.show({ color: "red", message: toFailure(error, t).message }),
  });
  const describe = (o: Override) =>
    o.startMinute === 0 && o.endMinute === MINUTES_PER_DAY
      ? t("availability.wholeDay")
      : `${format.minuteOfDay(o.startMinute)}–${format.minuteOfDay(o.endMinute)}`;

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="date-changes">
      <Stack gap="md">
        <Stack gap={4}>
          <Title order={2} fz="h4" id="date-changes">
            {t("availability.overrides")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("availability.overridesHint")}
          </Text>
        </Stack>
        {availability.overrides.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("availability.noOverrides")}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("availability.date")}</Table.Th>
                  <Table.Th>{t("availability.kind")}</Table.Th>
                  <Table.Th>{t("availability.hours")}</Table.Th>
                  <Table.Th>{t("availability.actions")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {availability.overrides.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Td>{format.dateOfKey(o.date)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={o.kind === "off" ? "orange" : "teal"}>
                        {t(`availability.kinds.${o.kind}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{describe(o)}</Table.Td>
                    <Table.Td>
                      <Button
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        loading={remove.isPending && remove.variables?.overrideId === o.id}
                        aria-label={t("availability.removeOverride", {
                          kind: t(`availability.kinds.${o.kind}`),
                          date: format.dateOfKey(o.date),
                        })}
                        onClick={() => remove.mutate({ overrideId: o.id })}
                      >
                        {t("availability.remove")}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <AddOverrideForm timezone={availability.timezone} />
      </Stack>
    </Card>
  );
}

function AddOverrideForm({ timezone }: { timezone: string }) {
  const { t } = useTranslation();
  const format = useTimeFormat(timezone);
  const utils = trpc.useUtils();
  const add = trpc.tutoring.availability.addOverride.useMutation();
  const [today] = useState(() => dayKeyOf(new Date(), timezone));
  const [wholeDay, setWholeDay] = useState(true);
  const form = useSchemaForm(AddAvailabilityOverrideInput, {
    date: today,
    kind: "off",
    startMinute: 0,
    endMinute: MINUTES_PER_DAY,
  });
  const { onSubmit, failure } = useSubmit(form, async (values) => {
    await add.mutateAsync(values);
    await Promise.all([utils.tutoring.availability.get.invalidate(), utils.tutoring.teachers.invalidate()]);
    notifications.show({ color: "teal", message: t("availability.overrideAdded") });
  });
  const values = form.getValues();
  const toggleWholeDay = (checked: boolean) => {
    setWholeDay(checked);
    form.setValues(checked ? { startMinute: 0, endMinute: MINUTES_PER_DAY } : { ...DEFAULT_RANGE });
  };
  // Time off is usually a whole day; extra hours are usually a few hours, so they start as a range.
  const chooseKind = (kind: string) => {
    form.setFieldValue("kind", kind as typeof values.kind);
    toggleWholeDay(kind !== "extra");
  };
  const minuteSelect = (path: "startMinute" | "endMinute", options: number[], label: string) => {
    const props = form.getInputProps(path);
    return (
      <NativeSelect
        label={label}
        data={options.map((m) => ({ value: String(m), label: format.minuteOfDay(m) }))}
        {...props}
        value={String(props.value)}
        onChange={(event) => form.setFieldValue(path, Number(event.currentTarget.value))}
      />
    );
  };

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm">
        <Title order={3} fz="h5">
          {t("availability.addOverride")}
        </Title>
        <FailureAlert message={failure?.message} />
        <Group align="flex-start" gap="md">
          <TextInput type="date" label={t("availability.date")} min={today} {...form.getInputProps("date")} />
          <Radio.Group label={t("availability.kind")} {...form.getInputProps("kind")} onChange={chooseKind}>
            <Group mt={8} gap="md">
              <Radio value="off" label={t("availability.kinds.off")} />
              <Radio value="extra" label={t("availability.kinds.extra")} />
            </Group>
          </Radio.Group>
        </Group>
        <Checkbox
          label={t("availability.wholeDay")}
          checked={wholeDay}
          onChange={(event) => toggleWholeDay(event.currentTarget.checked)}
        />
        {!wholeDay && (
          <Group gap="md" align="flex-start">
            {minuteSelect("startMinute", STARTS, t("availability.from"))}
            {minuteSelect("endMinute", ENDS, t("availability.to"))}
          </Group>
        )}
        <Button type="submit" variant="light" loading={form.submitting} style={{ alignSelf: "flex-start" }}>
          {values.kind === "extra" ? t("availability.addExtra") : t("availability.addTimeOff")}
        </Button>
      </Stack>
    </form>
  );
}
