import type { DbOrTx } from "@lectern/db";
import { sql } from "drizzle-orm";

export interface JobOptions {
  runAt?: Date;
  /** Replaces (or, with a later runAt, moves) a pending job with the same key. */
  jobKey?: string;
  maxAttempts?: number;
}

/**
 * Enqueues a graphile-worker job through the caller's transaction, so the job commits or
 * vanishes with the change that caused it.
 */
export async function addJob(
  tx: DbOrTx,
  task: string,
  payload: Record<string, unknown>,
  options: JobOptions = {},
): Promise<void> {
  await tx.execute(sql`select graphile_worker.add_job(
    identifier => ${task},
    payload => ${JSON.stringify(payload)}::json,
    run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
    job_key => ${options.jobKey ?? null},
    max_attempts => ${options.maxAttempts ?? 10}
  )`);
}
