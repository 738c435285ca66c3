export { createDatabase, type Database, type Db, type DbOrTx, type Tx } from "./client.ts";
export { type Connection, connectDatabase } from "./connect.ts";
export { freePort, startEmbeddedPostgres } from "./embedded.ts";
export { type MigrationStatus, migrateDatabase, migrationStatus } from "./migrate.ts";
export { localStateDir, repoRoot } from "./paths.ts";
export * as schema from "./schema/index.ts";
export { containsPattern } from "./search.ts";
