import { assertProductionEntryEnv, type Env, EnvError, loadEnv } from "@lectern/config";
import { connectDatabase, type Database } from "@lectern/db";
import { run, Logger as WorkerLogger } from "graphile-worker";
import { createCronItems, createTaskList } from "./jobs/tasks.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createEmailProvider } from "./modules/notifications/providers.ts";

export interface WorkerDeps {
  env: Env;
  database: Database;
  logger: Logger;
}

/** Runs graphile-worker against Lectern's database; resolves once it is polling. */
export async function startWorker({ env, database, logger }: WorkerDeps) {
  const log = logger.child({ component: "worker" });
  const runner = await run({
    pgPool: database.pool,
    concurrency: env.WORKER_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    // Under load (a booking adds three jobs, its emails two more), fetch due jobs a few at a time and
    // mark finished ones done together: fewer round trips per job. Every task is safe to run again.
    preset: { worker: { localQueue: { size: env.WORKER_CONCURRENCY + 1 }, completeJobBatchDelay: 0 } },
    parsedCronItems: createCronItems(env),
    logger: new WorkerLogger(() => (level, message, meta) => {
      const method = level === "error" ? "error" : level === "warning" ? "warn" : "debug";
      log[method](meta ?? {}, message);
    }),
    taskList: createTaskList({ db: database.db, env, email: createEmailProvider(env, log), logger: log }),
  });
  return {
    stop: () => runner.stop(),
    promise: runner.promise,
  };
}

if (import.meta.main) {
  try {
    assertProductionEntryEnv();
    const env = loadEnv();
    const logger = createLogger(env);
    const connection = await connectDatabase(env, {
      max: env.WORKER_POOL_MAX,
      onError: (err) => logger.error({ err }, "postgres pool error"),
    });
    const worker = await startWorker({ env, database: connection.database, logger });
    logger.info("worker running");
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        void worker
          .stop()
          .then(() => connection.close())
          .then(() => process.exit(0));
      });
    }
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
