import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { runLedgerHealthCheck } from "./health.ts";

export const LEDGER_HEALTH_TASK = "ledger.health";

/** The ledger's task: the drift check. */
export function ledgerTasks(deps: TaskDeps): TaskList {
  return {
    [LEDGER_HEALTH_TASK]: async () => {
      await runLedgerHealthCheck(deps.db, deps.logger);
    },
  };
}

/** The drift check every 15 minutes (a check missed while no worker ran is not replayed; the next one catches up). */
export const ledgerCron: CronItem[] = [
  { task: LEDGER_HEALTH_TASK, match: "*/15 * * * *", identifier: LEDGER_HEALTH_TASK, options: { maxAttempts: 1 } },
];
