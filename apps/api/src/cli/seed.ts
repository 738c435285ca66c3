import { loadEnv } from "@lectern/config";
import { connectDatabase, migrateDatabase } from "@lectern/db";
import { createAuth } from "../auth/index.ts";
import { createLogger } from "../logger.ts";
import { demoSeedRefusal, formatDemoLogins, seedDemo } from "../seed.ts";

const env = loadEnv();
// Without DATABASE_URL, connectDatabase uses the embedded database: decide before touching anything.
const target = { embedded: !env.DATABASE_URL };
const refusal = demoSeedRefusal(env, target);
if (refusal) {
  console.error(`Not seeding. ${refusal}`);
  process.exit(1);
}
const connection = await connectDatabase(env);
try {
  await migrateDatabase(connection.database);
  const auth = createAuth({ db: connection.database.db, env, logger: createLogger(env) });
  const demo = await seedDemo(connection.database.db, auth, env, target);
  if (demo.seeded)
    console.log(
      `seeded ${demo.created} new demo users${demo.tutoring ? " and the demo tutoring data" : ""}. Demo logins:\n${formatDemoLogins()}`,
    );
} finally {
  await connection.close();
}
