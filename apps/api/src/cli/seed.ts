import { loadEnv } from "@lectern/config";
import { connectDatabase, migrateDatabase } from "@lectern/db";
import { createAuth } from "../auth/index.ts";
import { createLogger } from "../logger.ts";
import { formatDemoLogins, seedDemoData } from "../seed.ts";

const env = loadEnv();
const connection = await connectDatabase(env);
try {
  await migrateDatabase(connection.database);
  const { created } = await seedDemoData(
    connection.database.db,
    createAuth({ db: connection.database.db, env, logger: createLogger(env) }),
  );
  console.log(`seeded ${created} new demo users. Demo logins:\n${formatDemoLogins()}`);
} finally {
  await connection.close();
}
