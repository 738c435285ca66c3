import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { expireCreditLots } from "./credits.ts";
import { runLedgerHealthCheck } from "./health.ts";

export const EXPIRE_CREDITS_TASK = "credits.expire";
export const LEDGER_HEALTH_TASK = "ledger.health";

/** Credit and ledger tasks: expiry, the drift check. */
export function creditTasks(deps: TaskDeps): TaskList {
  return {
    [EXPIRE_CREDITS_TASK]: async () => {
      const swept = await expireCreditLots(deps.db);
      if (swept.lots > 0) deps.logger.info(swept, "expired credit lots");
    },
    [LEDGER_HEALTH_TASK]: async () => {
      await runLedgerHealthCheck(deps.db, deps.logger);
    },
  };
}

/** Credit sweeps: expiry every hour, the ledger drift check every 15 minutes (a sweep missed while no worker ran is not replayed; the next one catches up). */
export const creditCron: CronItem[] = [
  { task: EXPIRE_CREDITS_TASK, match: "7 * * * *", identifier: EXPIRE_CREDITS_TASK, options: { maxAttempts: 3 } },
  { task: LEDGER_HEALTH_TASK, match: "*/15 * * * *", identifier: LEDGER_HEALTH_TASK, options: { maxAttempts: 1 } },
];
