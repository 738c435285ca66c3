export { createDatabase, type Database, type Db, type DbOrTx, type PoolOptions, type Tx } from "./client.ts";
export { type Connection, connectDatabase, poolOptions } from "./connect.ts";
export { blockedDirectories, embeddedBinDir, freePort, startEmbeddedPostgres } from "./embedded.ts";
export { type MigrationStatus, migrateDatabase, migrationStatus } from "./migrate.ts";
export { localStateDir, repoRoot } from "./paths.ts";
export * as schema from "./schema/index.ts";
export { containsPattern } from "./search.ts";
export { SESSION_CHANGES_CHANNEL, SESSION_CHANGES_LISTENER, type SessionChanges } from "./session-changes.ts";
export { parseTimestamptz } from "./timestamps.ts";
