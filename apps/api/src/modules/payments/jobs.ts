import type { CronItem, TaskList } from "graphile-worker";
import type { TaskDeps } from "../../jobs/tasks.ts";
import { purgeExpiredKeys } from "./idempotency.ts";
import { expireOrders } from "./orders.ts";

export const PURGE_IDEMPOTENCY_KEYS_TASK = "idempotency.purgeExpired";
export const EXPIRE_ORDERS_TASK = "payments.expireOrders";

/** Payments tasks: deleting expired idempotency keys, expiring unpaid orders. */
export function paymentsTasks(deps: TaskDeps): TaskList {
  return {
    [PURGE_IDEMPOTENCY_KEYS_TASK]: async () => {
      const { deleted } = await purgeExpiredKeys(deps.db);
      if (deleted > 0) deps.logger.info({ deleted }, "expired idempotency keys deleted");
    },
    [EXPIRE_ORDERS_TASK]: async () => {
      const expired = await expireOrders(deps.db);
      if (expired > 0) deps.logger.info({ expired }, "unpaid orders expired");
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
  // Every 5 minutes: an order's deadline is ORDER_EXPIRY_MINUTES (≥ 30), so it expires within minutes of it.
  { task: EXPIRE_ORDERS_TASK, match: "*/5 * * * *", identifier: EXPIRE_ORDERS_TASK, options: { maxAttempts: 3 } },
];
