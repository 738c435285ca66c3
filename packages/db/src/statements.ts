import { getTableColumns, type Table } from "drizzle-orm";
import type pg from "pg";
import type { DbOrTx } from "./client.ts";

/**
 * A named prepared statement: plain SQL with $n parameters. Postgres parses and plans it once per
 * connection, and nothing builds it per call (the query builder's per-call building was the largest
 * share of a booking's CPU under load, `pnpm bench --profile`). One name, one text, always.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/**
 * The pg client under a drizzle handle: the pool for the database, and the transaction's own
 * connection inside a transaction (drizzle keeps either as its session's client).
 */
function pgClientOf(db: DbOrTx): pg.Pool | pg.PoolClient {
  const client = (db as unknown as { session?: { client?: pg.Pool | pg.PoolClient } }).session?.client;
  if (!client) throw new Error("no pg client under this database handle");
  return client;
}

/** Runs a named statement on the handle's connection (in its transaction, if it is one). */
export function runStatement<R extends pg.QueryResultRow>(
  db: DbOrTx,
  statement: Statement,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return pgClientOf(db).query<R>({ name: statement.name, text: statement.text, values });
}

/** Column types whose pg value (under the pool's type parsers, timestamps.ts) is already the row's. */
const AS_READ = new Set([
  "PgUUID",
  "PgText",
  "PgVarchar",
  "PgInteger",
  "PgSmallInt",
  "PgBoolean",
  "PgEnumColumn",
  "PgJson",
  "PgJsonb",
]);

/**
 * A table's whole row for plain SQL: the select (or returning) list that names each column by its
 * TypeScript key, and the mapping of a row so read to the table's row type. Only column types whose
 * pg value needs no or a known mapping are allowed; any other fails here, when the module loads.
 */
export function plainRow<T extends Table>(table: T, alias?: string) {
  const numbers: string[] = [];
  const list: string[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const timestamptz = column.columnType === "PgTimestamp" && (column as { withTimezone?: boolean }).withTimezone;
    if (column.columnType === "PgBigInt53") numbers.push(key);
    else if (!AS_READ.has(column.columnType) && !timestamptz)
      throw new Error(`plainRow: no plain mapping for ${column.name} (${column.columnType})`);
    list.push(`${alias ? `${alias}.` : ""}"${column.name}" as "${key}"`);
  }
  const read = (row: Record<string, unknown>): T["$inferSelect"] => {
    // int8 arrives as text (pg keeps every bigint exact); these columns hold safe integers by schema.
    for (const key of numbers) if (row[key] !== null) row[key] = Number(row[key]);
    return row as T["$inferSelect"];
  };
  return {
    columns: list.join(", "),
    read,
    /** Runs a statement that selects or returns `columns` and reads its first row, if any. */
    async first(db: DbOrTx, statement: Statement, values: unknown[]): Promise<T["$inferSelect"] | undefined> {
      const { rows } = await runStatement<Record<string, unknown>>(db, statement, values);
      return rows[0] && read(rows[0]);
    },
  };
}
