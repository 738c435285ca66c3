import type { Db } from "@lectern/db";
import { type CronItem, parseCronItems, type TaskList } from "graphile-worker";
import { z } from "zod";
import type { Logger } from "../logger.ts";
import { creditCron, creditTasks } from "../modules/ledger/jobs.ts";
import type { EmailProvider } from "../modules/notifications/providers.ts";
import { DELIVER_EMAIL_TASK, deliverEmail } from "../modules/notifications/service.ts";
import { tutoringCron, tutoringTasks } from "../modules/tutoring/jobs.ts";

export interface TaskDeps {
  db: Db;
  email: EmailProvider;
  logger: Logger;
}

const DeliverEmailPayload = z.object({ outboxId: z.uuid() });

/** Every background task Lectern runs; payloads are validated before the work starts. */
export function createTaskList(deps: TaskDeps): TaskList {
  return {
    ...tutoringTasks(deps),
    ...creditTasks(deps),
    [DELIVER_EMAIL_TASK]: async (payload, helpers) => {
      const { outboxId } = DeliverEmailPayload.parse(payload);
      await deliverEmail(deps.db, deps.email, deps.logger, outboxId, {
        number: helpers.job.attempts,
        max: helpers.job.max_attempts,
      });
    },
  };
}

/** Periodic jobs (graphile-worker cron); each runs once per tick across all workers. */
export function createCronItems() {
  const items: CronItem[] = [...tutoringCron, ...creditCron];
  return parseCronItems(items);
}
