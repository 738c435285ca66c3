import { type DbOrTx, runStatement, type Statement } from "@lectern/db";

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
  await addJobs(tx, [{ task, payload, ...options }]);
}

/** A job for `addJobs`. */
export interface JobSpec extends JobOptions {
  task: string;
  payload: Record<string, unknown>;
}

/**
 * Adds several jobs and removes pending ones by key in ONE statement through the caller's
 * transaction: one round trip however many (a booking adds three). A named prepared statement per
 * shape (jobs, removals), so nothing is built per call but the parameters.
 */
export async function addJobs(tx: DbOrTx, jobs: JobSpec[], removeKeys: string[] = []): Promise<void> {
  if (jobs.length === 0 && removeKeys.length === 0) return;
  const values: unknown[] = [];
  for (const job of jobs)
    values.push(job.task, JSON.stringify(job.payload), job.runAt ?? null, job.jobKey ?? null, job.maxAttempts ?? 10);
  values.push(...removeKeys);
  await runStatement(tx, addJobsStatement(jobs.length, removeKeys.length), values);
}

const addJobsStatements = new Map<string, Statement>();
function addJobsStatement(jobs: number, removals: number): Statement {
  const name = `graphile_add_jobs_${jobs}_${removals}`;
  let statement = addJobsStatements.get(name);
  if (!statement) {
    const calls: string[] = [];
    let n = 0;
    for (let i = 0; i < jobs; i++)
      calls.push(`graphile_worker.add_job(identifier => $${++n}, payload => $${++n}::json,
        run_at => $${++n}::timestamptz, job_key => $${++n}, max_attempts => $${++n}::int)`);
    for (let i = 0; i < removals; i++) calls.push(`graphile_worker.remove_job($${++n})`);
    statement = { name, text: `select ${calls.join(", ")}` };
    addJobsStatements.set(name, statement);
  }
  return statement;
}
