import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";

/** Tutoring's background tasks: reminders, automatic completion. */
export function tutoringTasks(_deps: TaskDeps): TaskList {
  return {};
}

/** Tutoring's periodic sweeps. */
export const tutoringCron: CronItem[] = [];
