import { join } from "node:path";
import type { Env } from "@lectern/config";
import { createDatabase, type Database } from "./client.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { localStateDir } from "./paths.ts";

export interface Connection {
  database: Database;
  url: string;
  /** Whether this points at the embedded dev server. */
  embedded: boolean;
  close(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the persistent embedded Postgres under .lectern/. */
export async function connectDatabase(
  env: Env,
  options: { max?: number; onError?: (e: Error) => void } = {},
): Promise<Connection> {
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
