import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { expireCreditLots } from "./credits.ts";
import { REMINDER_TASK, ReminderPayload, sendReminder } from "./reminders.ts";
import { NOTIFY_SESSION_CHANGE_TASK, SessionChangePayload, sendSessionChangeEmails } from "./session-emails.ts";
import { autoCompleteSessions } from "./sessions.ts";

export const AUTO_COMPLETE_TASK = "tutoring.autoComplete";
export const EXPIRE_CREDITS_TASK = "credits.expire";

/** Tutoring's background tasks: change emails, reminders, automatic completion, credit expiry. */
export function tutoringTasks(deps: TaskDeps): TaskList {
  return {
    [REMINDER_TASK]: async (payload) => {
      await sendReminder(deps.db, ReminderPayload.parse(payload));
    },
    [NOTIFY_SESSION_CHANGE_TASK]: async (payload) => {
      await sendSessionChangeEmails(deps.db, SessionChangePayload.parse(payload));
    },
    [AUTO_COMPLETE_TASK]: async () => {
      const { completed } = await autoCompleteSessions(deps.db);
      if (completed > 0) deps.logger.info({ completed }, "sessions completed automatically");
    },
    [EXPIRE_CREDITS_TASK]: async () => {
      const swept = await expireCreditLots(deps.db);
      if (swept.lots > 0) deps.logger.info(swept, "expired credit lots");
    },
  };
}

/** Tutoring's periodic sweeps. */
export const tutoringCron: CronItem[] = [
  // Every 5 minutes; a missed tick is caught up by the next one (the sweep looks at all overdue sessions).
  { task: AUTO_COMPLETE_TASK, match: "*/5 * * * *", identifier: AUTO_COMPLETE_TASK },
  // Hourly; a sweep missed while no worker ran is not replayed (the next one takes every lot past its expiry).
  { task: EXPIRE_CREDITS_TASK, match: "7 * * * *", identifier: EXPIRE_CREDITS_TASK, options: { maxAttempts: 3 } },
];
