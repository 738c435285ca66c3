import { loadEnv } from "@lectern/config";
import { connectDatabase } from "../connect.ts";
import { migrateDatabase, migrationStatus } from "../migrate.ts";

const connection = await connectDatabase(loadEnv());
try {
  await migrateDatabase(connection.database);
  const status = await migrationStatus(connection.database);
  console.log(`migrations applied: ${status.applied}/${status.expected}`);
} finally {
  await connection.close();
}
