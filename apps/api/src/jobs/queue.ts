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

/** A job for `addJobs`. */
export interface JobSpec extends JobOptions {
  task: string;
  payload: Record<string, unknown>;
}

/**
 * Adds several jobs and removes pending ones by key in ONE statement through the caller's
 * transaction: one round trip however many (a booking adds three).
 */
export async function addJobs(tx: DbOrTx, jobs: JobSpec[], removeKeys: string[] = []): Promise<void> {
  const calls = [
    ...jobs.map(
      (job) => sql`graphile_worker.add_job(
        identifier => ${job.task},
        payload => ${JSON.stringify(job.payload)}::json,
        run_at => ${job.runAt?.toISOString() ?? null}::timestamptz,
        job_key => ${job.jobKey ?? null},
        max_attempts => ${job.maxAttempts ?? 10}
      )`,
    ),
    ...removeKeys.map((key) => sql`graphile_worker.remove_job(${key})`),
  ];
  if (calls.length > 0) await tx.execute(sql`select ${sql.join(calls, sql`, `)}`);
}
