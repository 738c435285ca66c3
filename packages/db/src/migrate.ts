import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { runMigrations as runWorkerMigrations } from "graphile-worker";
import type { Database } from "./client.ts";
import { migrationsFolder } from "./paths.ts";

/** Applies Lectern's migrations and graphile-worker's own schema. Safe to run repeatedly. */
export async function migrateDatabase({ pool }: Database): Promise<void> {
  const client = await pool.connect();
  try {
    // A migration may build an index for longer than a request may run: no statement timeout here.
    await client.query("set statement_timeout = 0");
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    // Destroyed rather than returned, so the pool keeps only connections with its own timeouts.
    client.release(true);
  }
  await runWorkerMigrations({ pgPool: pool });
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export interface MigrationStatus {
  current: boolean;
  applied: number;
  expected: number;
}

/** Whether every committed migration has been applied (for /readyz). */
export async function migrationStatus({ db }: Database): Promise<MigrationStatus> {
  const journal = JSON.parse(await readFile(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as Journal;
  const expected = journal.entries.length;
  const latest = journal.entries.at(-1)?.when ?? 0;
  const exists = await db.execute<{ present: boolean }>(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists.rows[0]?.present) return { current: expected === 0, applied: 0, expected };
  const result = await db.execute<{ applied: number; latest: string | null }>(
    sql`select count(*)::int as applied, max(created_at)::text as latest from drizzle.__drizzle_migrations`,
  );
  const applied = result.rows[0]?.applied ?? 0;
  const appliedLatest = Number(result.rows[0]?.latest ?? 0);
  return { current: applied >= expected && appliedLatest >= latest, applied, expected };
}
