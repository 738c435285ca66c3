import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";

/** Credit tasks: expiry. */
export function creditTasks(_deps: TaskDeps): TaskList {
  return {};
}

/** Credit sweeps. */
export const creditCron: CronItem[] = [];
