import { Button, type ButtonProps } from "@mantine/core";
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { useCurrentUser } from "../../lib/session";
import { type SessionSummary, useNow, useTimeFormat } from "../../lib/tutoring";

// Loads after the first screen (the dashboard shows Join buttons); until then the button shows without it.
const JoinTooltip = lazy(async () => ({ default: (await import("./JoinTooltip")).JoinTooltip }));

type Joinable = Pick<SessionSummary, "status" | "meetingUrl" | "joinableFrom" | "joinableUntil" | "startsAt">;

/**
 * Opens the session's meeting link in a new tab, from `joinableFrom` until `joinableUntil` by a
 * ticking clock. Outside that window (or without a link) it stays focusable but inert, and its
 * tooltip says why.
 */
export function JoinButton({ session, ...props }: { session: Joinable } & ButtonProps) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const now = useNow();
  const booked = session.status === "booked";
  const open = booked && now >= session.joinableFrom && now < session.joinableUntil;
  const url = session.meetingUrl;
  const reason = !booked
    ? t("tutoring.join.notBooked")
    : now < session.joinableFrom
      ? t("tutoring.join.opensAt", { time: time.dateTime(session.joinableFrom) })
      : !open
        ? t("tutoring.join.ended")
        : !url
          ? t("tutoring.join.noLink")
          : null;
  // Lists repeat "Join" on every row: the name says which session it joins.
  const name = t("tutoring.join.labelAt", { when: time.dateTime(session.startsAt) });

  if (reason || !url) {
    const inert = (
      <Button
        {...props}
        data-disabled
        aria-disabled="true"
        aria-label={name}
        aria-description={reason ?? undefined}
        onClick={(event) => event.preventDefault()}
      >
        {t("tutoring.join.label")}
      </Button>
    );
    return (
      <Suspense fallback={inert}>
        <JoinTooltip label={reason ?? ""}>{inert}</JoinTooltip>
      </Suspense>
    );
  }
  return (
    <Button {...props} color="teal" aria-label={name} onClick={() => window.open(url, "_blank", "noopener,noreferrer")}>
      {t("tutoring.join.label")}
    </Button>
  );
}
