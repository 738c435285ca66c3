import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDatabase } from "./client.ts";
import { freePort, startEmbeddedPostgres } from "./embedded.ts";
import { migrateDatabase } from "./migrate.ts";

export interface TestPostgres {
  /** Server-level URL (database `postgres`) used to create per-test databases. */
  adminUrl: string;
  template: string;
  stop(): Promise<void>;
}

/**
 * One Postgres for a whole test run with a migrated template database: DATABASE_URL's server
 * when given, else a throwaway embedded instance in a temp dir.
 */
export async function startTestPostgres(databaseUrl?: string): Promise<TestPostgres> {
  const template = `lectern_template_${randomBytes(4).toString("hex")}`;
  let adminUrl: string;
  let stopServer = async () => {};
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    url.pathname = "/postgres";
    adminUrl = url.toString();
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), "lectern-test-pg-"));
    await chmod(dataDir, 0o755); // Postgres runs as its own user when we are root
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: false,
    });
    adminUrl = server.url("postgres");
    stopServer = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  await adminQuery(adminUrl, `create database "${template}"`);
  const database = createDatabase(withDatabase(adminUrl, template), { max: 2 });
  try {
    await migrateDatabase(database);
  } finally {
    await database.close();
  }
  return {
    adminUrl,
    template,
    async stop() {
      if (databaseUrl) await dropTestDatabases(adminUrl, template);
      await stopServer();
    },
  };
}

/** A fresh database cloned from the migrated template; returns its URL. */
export async function createTestDatabase(adminUrl: string, template: string): Promise<string> {
  const name = `${template}_${randomBytes(4).toString("hex")}`;
  await adminQuery(adminUrl, `create database "${name}" template "${template}"`);
  return withDatabase(adminUrl, name);
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function dropTestDatabases(adminUrl: string, template: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like $1", [
      `${template}%`,
    ]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}
