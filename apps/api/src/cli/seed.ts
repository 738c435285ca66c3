import { loadEnv } from "@lectern/config";
import { connectDatabase, migrateDatabase } from "@lectern/db";
import { createAuth } from "../auth/index.ts";
import { createLogger } from "../logger.ts";
import { formatDemoLogins, seedDemoData } from "../seed.ts";
import { seedDemoTutoring } from "../seed-tutoring.ts";

const env = loadEnv();
const connection = await connectDatabase(env);
try {
  await migrateDatabase(connection.database);
  const { created } = await seedDemoData(
    connection.database.db,
    createAuth({ db: connection.database.db, env, logger: createLogger(env) }),
  );
  const { seeded } = await seedDemoTutoring(connection.database.db);
  console.log(
    `seeded ${created} new demo users${seeded ? " and the demo tutoring data" : ""}. Demo logins:\n${formatDemoLogins()}`,
  );
} finally {
  await connection.close();
}
