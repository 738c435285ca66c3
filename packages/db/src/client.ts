import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema/index.ts";
import { type SessionChanges, sessionChanges } from "./session-changes.ts";
import { poolTypes } from "./timestamps.ts";

export type Schema = typeof schema;
export type Db = NodePgDatabase<Schema>;
/** A transaction handle; services accept `Db | Tx` so they can join a caller's transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  pool: pg.Pool;
  /** Changed sessions and users, as migration 0017's triggers announce them (session-changes.ts). */
  sessionChanges: SessionChanges;
  close(): Promise<void>;
}

export interface PoolOptions {
  max?: number;
  /** Set on every connection, in milliseconds; 0 or unset: the server's default (no limit). */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  onError?: (error: Error) => void;
}

export function createDatabase(connectionString: string, options: PoolOptions = {}): Database {
  const connection = {
    connectionString,
    // Sent as startup parameters, so every connection has them before its first query.
    statement_timeout: options.statementTimeoutMs || undefined,
    lock_timeout: options.lockTimeoutMs || undefined,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs || undefined,
  };
  const changes = sessionChanges(connection);
  const pool = new pg.Pool({ ...connection, max: options.max ?? 10, types: poolTypes, onConnect: changes.watch });
  const onError = options.onError ?? ((error: Error) => console.error("postgres pool error", error));
  // An idle client losing its connection must not crash the process.
  pool.on("error", onError);
  pool.on("connect", (client) => client.on("error", onError));
  const db = drizzle(pool, { schema });
  return {
    db,
    pool,
    sessionChanges: changes,
    close: async () => {
      await changes.close();
      await pool.end();
    },
  };
}
