import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { expireCreditLots } from "./credits.ts";

export const EXPIRE_CREDITS_TASK = "credits.expire";

/** Credit tasks: expiry. */
export function creditTasks(deps: TaskDeps): TaskList {
  return {
    [EXPIRE_CREDITS_TASK]: async () => {
      const swept = await expireCreditLots(deps.db);
      if (swept.lots > 0) deps.logger.info(swept, "expired credit lots");
    },
  };
}

/** Credit sweeps: expiry every hour (a sweep missed while no worker ran is not replayed; the next one catches up). */
export const creditCron: CronItem[] = [
  { task: EXPIRE_CREDITS_TASK, match: "7 * * * *", identifier: EXPIRE_CREDITS_TASK, options: { maxAttempts: 3 } },
];
