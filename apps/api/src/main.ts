import { serve } from "@hono/node-server";
import { assertProductionEntryEnv, EnvError, loadEnv } from "@lectern/config";
import { connectDatabase, createDatabase, migrateDatabase, poolOptions } from "@lectern/db";
import { createApp } from "./app.ts";
import { createAuth } from "./auth/index.ts";
import { createLogger } from "./logger.ts";
import { startWorker } from "./worker.ts";

export interface StartOptions {
  /** Apply pending migrations first (dev and single-node deploys). */
  migrate?: boolean;
}

/** Starts the API (and, unless WORKER_IN_PROCESS=false, the worker) until SIGTERM/SIGINT. */
export async function startServer(options: StartOptions = {}) {
  const env = loadEnv();
  const logger = createLogger(env);
  const onError = (err: Error) => logger.error({ err }, "postgres pool error");
  const connection = await connectDatabase(env, { onError });
  if (options.migrate) await migrateDatabase(connection.database);
  const { db } = connection.database;
  const auth = createAuth({ db, env, logger });
  const app = createApp({ env, database: connection.database, auth, logger });
  // The worker's jobs draw on a pool of their own, so a burst of jobs never holds up requests.
  const workerDatabase = env.WORKER_IN_PROCESS
    ? createDatabase(connection.url, poolOptions(env, { max: env.WORKER_POOL_MAX, onError }))
    : null;
  const worker = workerDatabase ? await startWorker({ env, database: workerDatabase, logger }) : null;
  const server = serve({ fetch: app.fetch, hostname: env.API_HOST, port: env.API_PORT });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  logger.info({ url: env.API_URL, worker: Boolean(worker) }, "API listening");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info("shutting down");
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker?.stop();
      await workerDatabase?.close();
      await connection.close();
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void stop().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
  return { env, connection, auth, stop };
}

if (import.meta.main) {
  try {
    // `pnpm dev` starts the server through cli/dev.ts; this entry is the production one.
    assertProductionEntryEnv();
    await startServer();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
