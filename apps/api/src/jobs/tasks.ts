import { type Env, loadEnv } from "@lectern/config";
import type { Db } from "@lectern/db";
import { type CronItem, parseCronItems, type TaskList } from "graphile-worker";
import { z } from "zod";
import type { Logger } from "../logger.ts";
import { ledgerCron, ledgerTasks } from "../modules/ledger/jobs.ts";
import type { EmailProvider } from "../modules/notifications/providers.ts";
import { DELIVER_EMAIL_TASK, deliverEmail, PURGE_OUTBOX_TASK, purgeOutbox } from "../modules/notifications/service.ts";
import { paymentsCron, paymentsTasks } from "../modules/payments/jobs.ts";
import { refundTasks } from "../modules/payments/refunds.ts";
import { tutoringCron, tutoringTasks } from "../modules/tutoring/jobs.ts";
import { withdrawalCron, withdrawalTasks } from "../modules/wallet/payouts.ts";

export interface TaskDeps {
  db: Db;
  /** the worker's environment: payment providers' keys and URLs for refunds (tests that run no such task omit it) */
  env?: Env;
  email: EmailProvider;
  logger: Logger;
}

const DeliverEmailPayload = z.object({
  outboxId: z.uuid(),
  /** the real bodies of a redacted (secret-bearing) email */
  secret: z.object({ text: z.string(), html: z.string() }).optional(),
});
const PurgeOutboxPayload = z.object({ retentionDays: z.number().int().min(1) });

/** Every background task Lectern runs; payloads are validated before the work starts. */
export function createTaskList(deps: TaskDeps): TaskList {
  return {
    ...tutoringTasks(deps),
    ...ledgerTasks(deps),
    ...paymentsTasks(deps),
    ...withdrawalTasks(deps),
    ...refundTasks(deps),
    [DELIVER_EMAIL_TASK]: async (payload, helpers) => {
      const { outboxId, secret } = DeliverEmailPayload.parse(payload);
      await deliverEmail(
        deps.db,
        deps.email,
        deps.logger,
        outboxId,
        { number: helpers.job.attempts, max: helpers.job.max_attempts },
        secret,
      );
    },
    [PURGE_OUTBOX_TASK]: async (payload) => {
      const { deleted } = await purgeOutbox(deps.db, PurgeOutboxPayload.parse(payload).retentionDays);
      if (deleted > 0) deps.logger.info({ deleted }, "old outbox emails deleted");
    },
  };
}

/** Periodic jobs (graphile-worker cron); each runs once per tick across all workers. */
export function createCronItems(env: Pick<Env, "EMAIL_OUTBOX_RETENTION_DAYS"> = loadEnv()) {
  const items: CronItem[] = [
    ...tutoringCron,
    ...ledgerCron,
    ...paymentsCron,
    ...withdrawalCron,
    // Daily at 03:17; the retention period travels in the payload (the worker's env).
    {
      task: PURGE_OUTBOX_TASK,
      match: "17 3 * * *",
      identifier: PURGE_OUTBOX_TASK,
      payload: { retentionDays: env.EMAIL_OUTBOX_RETENTION_DAYS },
    },
  ];
  return parseCronItems(items);
}
