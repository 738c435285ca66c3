import { join } from "node:path";
import type { Env } from "@lectern/config";
import { createDatabase, type Database, type PoolOptions } from "./client.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { localStateDir } from "./paths.ts";

export interface Connection {
  database: Database;
  url: string;
  /** Whether this points at the embedded dev server. */
  embedded: boolean;
  close(): Promise<void>;
}

/** The pool settings the environment asks for (DATABASE_POOL_MAX and the per-connection timeouts). */
export function poolOptions(env: Env, options: PoolOptions = {}): PoolOptions {
  return {
    max: env.DATABASE_POOL_MAX,
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    ...options,
  };
}

/** DATABASE_URL when set; otherwise the persistent embedded Postgres under .lectern/. */
export async function connectDatabase(env: Env, overrides: PoolOptions = {}): Promise<Connection> {
  const options = poolOptions(env, overrides);
  if (env.DATABASE_URL) {
    const database = createDatabase(env.DATABASE_URL, options);
    return { database, url: env.DATABASE_URL, embedded: false, close: () => database.close() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: join(localStateDir, "postgres"),
    port: env.EMBEDDED_POSTGRES_PORT,
    persistent: true,
  });
  await server.ensureDatabase("lectern");
  const url = server.url("lectern");
  const database = createDatabase(url, options);
  return {
    database,
    url,
    embedded: true,
    async close() {
      await database.close();
      await server.stop();
    },
  };
}
