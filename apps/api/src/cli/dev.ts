// `pnpm dev`: embedded Postgres (unless DATABASE_URL), migrations, demo data, API + worker.
// turbo starts the web app and the admin console beside it.
import { startServer } from "../main.ts";
import { formatDemoLogins, seedDemoData } from "../seed.ts";
import { seedDemoTutoring } from "../seed-tutoring.ts";

const { env, connection, auth } = await startServer({ migrate: true });
await seedDemoData(connection.database.db, auth);
await seedDemoTutoring(connection.database.db);
console.log(`
Lectern is running${connection.embedded ? " on embedded Postgres (.lectern/postgres)" : ""}
  API            ${env.API_URL}
  Web app        ${env.WEB_URL}
  Admin console  ${env.ADMIN_URL}
Demo logins:
${formatDemoLogins()}
`);
