// `pnpm dev`: embedded Postgres (unless DATABASE_URL), migrations, demo data, API + worker.
// turbo starts the web app and the admin console beside it.
import { startServer } from "../main.ts";
import { formatDemoLogins, seedDemo } from "../seed.ts";

const { env, connection, auth } = await startServer({ migrate: true });
// Demo accounts only in the embedded database, or where SEED_DEMO=true asks for them.
const demo = await seedDemo(connection.database.db, auth, env, { embedded: connection.embedded });
console.log(`
Lectern is running${connection.embedded ? " on embedded Postgres (.lectern/postgres)" : ""}
  API            ${env.API_URL}
  Web app        ${env.WEB_URL}
  Admin console  ${env.ADMIN_URL}
${demo.seeded ? `Demo logins:\n${formatDemoLogins()}` : `No demo data: ${demo.reason}`}
`);
