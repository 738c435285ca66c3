import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { purgeExpiredKeys } from "./idempotency.ts";

export const PURGE_IDEMPOTENCY_KEYS_TASK = "idempotency.purgeExpired";

/** Payments tasks: deleting expired idempotency keys. */
export function paymentsTasks(deps: TaskDeps): TaskList {
  return {
    [PURGE_IDEMPOTENCY_KEYS_TASK]: async () => {
      const { deleted } = await purgeExpiredKeys(deps.db);
      if (deleted > 0) deps.logger.info({ deleted }, "expired idempotency keys deleted");
    },
  };
}

/** Hourly: keys live at least IDEMPOTENCY_KEY_TTL_HOURS; an expired one is ignored even before it is deleted. */
export const paymentsCron: CronItem[] = [
  {
    task: PURGE_IDEMPOTENCY_KEYS_TASK,
    match: "23 * * * *",
    identifier: PURGE_IDEMPOTENCY_KEYS_TASK,
    options: { maxAttempts: 3 },
  },
];
