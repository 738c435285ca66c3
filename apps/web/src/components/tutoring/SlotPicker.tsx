import { type SessionLength, TUTORING_POLICY } from "@lectern/api-contract";
import { Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useCurrentUser } from "../../lib/session";
import { trpc } from "../../lib/trpc";
import { addDaysToKey, dayKeyOf, startOfDay, useTimeFormat } from "../../lib/tutoring";
import { LoadError, SectionLoader } from "../Status";

const WEEK_DAYS = 7;
/** The last week that still holds bookable days. */
const LAST_WEEK = Math.floor(TUTORING_POLICY.bookingHorizonDays / WEEK_DAYS);

/**
 * A teacher's free slots, a week at a time from today, grouped by day in the viewer's time zone.
 * Each slot is a button named by its local start time, inside a group named by its day.
 */
export function SlotPicker({
  teacherId,
  durationMinutes,
  onPick,
  exclude,
}: {
  teacherId: string;
  durationMinutes: SessionLength;
  onPick: (slot: Date) => void;
  /** a start not to offer (the session's current time, when moving it) */
  exclude?: Date;
}) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useTimeFormat(me.timezone);
  const [today] = useState(() => dayKeyOf(new Date(), me.timezone));
  const [week, setWeek] = useState(0);
  const first = addDaysToKey(today, week * WEEK_DAYS);
  const days = useMemo(() => Array.from({ length: WEEK_DAYS }, (_, i) => addDaysToKey(first, i)), [first]);
  const range = useMemo(
    () => ({ from: startOfDay(first, me.timezone), to: startOfDay(addDaysToKey(first, WEEK_DAYS), me.timezone) }),
    [first, me.timezone],
  );
  const slots = trpc.tutoring.teachers.slots.useQuery({ teacherId, durationMinutes, ...range });

  const byDay = useMemo(() => {
    const grouped = new Map<string, Date[]>();
    for (const slot of slots.data?.slots ?? []) {
      if (exclude && slot.getTime() === exclude.getTime()) continue;
      const key = dayKeyOf(slot, me.timezone);
      grouped.set(key, [...(grouped.get(key) ?? []), slot]);
    }
    return grouped;
  }, [slots.data, exclude, me.timezone]);

  const last = days[days.length - 1] ?? first;
  const weekLabel = t("booking.week", { from: format.dateOfKey(first), to: format.dateOfKey(last) });

  return (
    <Stack gap="sm">
      {/* The week's dates on their own line, so the buttons fit beside each other on a phone. */}
      <Text fw={600} ta="center" aria-live="polite">
        {weekLabel}
      </Text>
      <Group justify="space-between" wrap="nowrap">
        <Button variant="default" size="xs" disabled={week === 0} onClick={() => setWeek((w) => w - 1)}>
          {t("booking.previousWeek")}
        </Button>
        <Button variant="default" size="xs" disabled={week >= LAST_WEEK} onClick={() => setWeek((w) => w + 1)}>
          {t("booking.nextWeek")}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t("booking.timesIn", { timezone: me.timezone })}
      </Text>
      {slots.isPending ? (
        <SectionLoader />
      ) : slots.isError ? (
        <LoadError error={slots.error} onRetry={() => void slots.refetch()} />
      ) : (
        <Stack gap="xs">
          {byDay.size === 0 && (
            <Text c="dimmed" role="status">
              {t("booking.noSlotsThisWeek")}
            </Text>
          )}
          {days.map((day) => (
            <DaySlots
              key={day}
              label={format.dayOfKey(day)}
              slots={byDay.get(day) ?? []}
              formatTime={format.time}
              onPick={onPick}
            />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function DaySlots({
  label,
  slots,
  formatTime,
  onPick,
}: {
  label: string;
  slots: Date[];
  formatTime: (value: Date) => string;
  onPick: (slot: Date) => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <Paper withBorder p="sm" radius="md">
      <Title order={3} fz="sm" id={headingId} mb={6}>
        {label}
      </Title>
      {slots.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("booking.noSlotsThisDay")}
        </Text>
      ) : (
        <Group role="group" aria-labelledby={headingId} gap="xs">
          {slots.map((slot) => (
            <Button key={slot.getTime()} variant="light" size="compact-sm" onClick={() => onPick(slot)}>
              {formatTime(slot)}
            </Button>
          ))}
        </Group>
      )}
    </Paper>
  );
}
