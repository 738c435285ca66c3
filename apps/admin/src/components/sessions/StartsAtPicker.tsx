import { DateTimePicker, type DateTimePickerProps } from "@mantine/dates";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../lib/format.ts";
import { fromWallClock, todayIn } from "./time.ts";

type StartsAtPickerProps = Omit<DateTimePickerProps, "value" | "onChange" | "type"> & {
  /** A wall-clock time in the admin's time zone, "YYYY-MM-DD HH:mm:ss", as the picker holds it. */
  value?: string | null;
  onChange: (value: string | null) => void;
};

/**
 * A date and time in the admin's own time zone (from their account, not the browser's), shown in
 * their language; the form turns it into an instant with fromWallClock.
 */
export function StartsAtPicker({ value, onChange, ...props }: StartsAtPickerProps) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <DateTimePicker
      clearable
      minDate={todayIn(format.timeZone)}
      defaultTimeValue="09:00"
      {...props}
      value={value ?? null}
      onChange={onChange}
      valueFormat={(wallClock) => format.dateTime(fromWallClock(wallClock, format.timeZone))}
      description={props.description ?? t("sessions.timeZoneHint", { timeZone: format.timeZone })}
      ariaLabels={{
        previousMonth: t("sessions.picker.previousMonth"),
        nextMonth: t("sessions.picker.nextMonth"),
        previousYear: t("sessions.picker.previousYear"),
        nextYear: t("sessions.picker.nextYear"),
        previousDecade: t("sessions.picker.previousDecade"),
        nextDecade: t("sessions.picker.nextDecade"),
        monthLevelControl: t("sessions.picker.chooseMonth"),
        yearLevelControl: t("sessions.picker.chooseYear"),
      }}
      timePickerProps={{
        hoursInputLabel: t("sessions.picker.hours"),
        minutesInputLabel: t("sessions.picker.minutes"),
      }}
      submitButtonProps={{ "aria-label": t("sessions.picker.done") }}
    />
  );
}
