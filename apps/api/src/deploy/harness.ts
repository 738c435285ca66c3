// The production path under test: Debian's PostgreSQL server (installed when missing) and Lectern's
// production entries (migrate, API, worker) as separate OS processes, talked to over real HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@lectern/db";
import pg from "pg";
import { Agent } from "../testing/index.ts";

const PG_LIB = "/usr/lib/postgresql";
const repo = (path: string) => fileURLToPath(new URL(`../../../../${path}`, import.meta.url));
const isRoot = process.getuid?.() === 0;

/** The newest installed server's bin/ (initdb, pg_ctl), or null. */
function installedBinDir(): string | null {
  if (!existsSync(PG_LIB)) return null;
  const versions = readdirSync(PG_LIB)
    .filter((v) => existsSync(join(PG_LIB, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(PG_LIB, versions[0], "bin") : null;
}

const hasCommand = (name: string) =>
  (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, name)));

/** Why this machine cannot run a real PostgreSQL server for the test, or null when it can. */
export function postgresUnavailable(): string | null {
  if (installedBinDir()) return null;
  if (process.platform !== "linux") return `PostgreSQL is not installed and ${process.platform} has no apt-get`;
  if (!isRoot) return "PostgreSQL is not installed under /usr/lib/postgresql and installing it needs root";
  if (!hasCommand("apt-get")) return "PostgreSQL is not installed and this machine has no apt-get";
  return null;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function exec(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

/** Debian's `postgresql` package, installed with apt-get when missing (CI starts from a fresh machine). */
async function ensurePostgresInstalled(): Promise<string> {
  const found = installedBinDir();
  if (found) return found;
  console.info("production test: installing Debian's postgresql package (apt-get)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  await exec("apt-get", ["update"], { env });
  await exec("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], { env });
  const installed = installedBinDir();
  if (!installed) throw new Error(`apt-get installed postgresql, but no initdb under ${PG_LIB}`);
  return installed;
}

export interface PostgresServer {
  /** Connection string for the superuser (creating roles and databases). */
  adminUrl: string;
  /** A login role that owns a new database: what a managed Postgres gives an application. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of its own on a spare loopback port, password-authenticated over TCP, with its
 * data under a temporary directory that stop() removes. Runs as the `postgres` user when we are root
 * (initdb refuses root).
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = await ensurePostgresInstalled();
  const dir = await mkdtemp(join(isRoot ? "/tmp" : tmpdir(), "lectern-pg-"));
  const data = join(dir, "data");
  const password = crypto.randomUUID();
  await writeFile(join(dir, "pwfile"), password);
  let owner: { uid: number; gid: number } | null = null;
  if (isRoot) {
    const [uid, gid] = await Promise.all([exec("id", ["-u", "postgres"]), exec("id", ["-g", "postgres"])]);
    owner = { uid: Number(uid), gid: Number(gid) };
    await chown(dir, owner.uid, owner.gid);
    await chown(join(dir, "pwfile"), owner.uid, owner.gid);
  }
  const asOwner = (command: string, args: string[]) =>
    isRoot ? exec("runuser", ["-u", "postgres", "--", join(bin, command), ...args]) : exec(join(bin, command), args);
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (started) await asOwner("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => {});
    started = false;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asOwner("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      `--pwfile=${join(dir, "pwfile")}`,
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    // fsync off: a throwaway server; everything else is Debian's stock configuration.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await asOwner("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        // Not a superuser: the migrations must work with what a managed Postgres grants an owner.
        await client.query(`create role ${name} login password '${password}'`);
        await client.query(`create database ${name} owner ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${name}:${password}@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

/**
 * The built apps (apps/web/dist, apps/admin/dist) that SERVE_APPS serves. `pnpm test` builds them first (turbo.json);
 * a test file run on its own builds what is missing.
 */
export async function ensureBuiltApps() {
  for (const app of ["web", "admin"]) {
    if (existsSync(repo(`apps/${app}/dist/index.html`))) continue;
    await exec(process.execPath, ["node_modules/vite/bin/vite.js", "build"], { cwd: repo(`apps/${app}`) });
  }
}

export interface LecternProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far (pino JSON lines), for assertions and for failure reports. */
  output: string[];
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const ENTRIES = {
  migrate: { cwd: repo("packages/db"), script: "src/cli/migrate.ts" },
  api: { cwd: repo("apps/api"), script: "src/main.ts" },
  worker: { cwd: repo("apps/api"), script: "src/worker.ts" },
} as const;

/**
 * Runs a production entry as its package script does (`node <script>` in the package, on the Node
 * that runs this test, the repo's pinned one), with only the environment given: nothing of the test
 * runner's leaks in.
 */
export function startEntry(entry: keyof typeof ENTRIES, env: Record<string, string>, name: string = entry) {
  const { cwd, script } = ENTRIES[entry];
  const base = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" };
  const child = spawn(process.execPath, [script], { cwd, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const watchers = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString().split("\n").filter(Boolean));
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const proc: LecternProcess = {
    name,
    child,
    output,
    waitForOutput(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.find((l) => pattern.test(l));
          if (line) done(() => resolve(line));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms\n${tail(proc)}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        void exited.then((code) => done(() => reject(new Error(`${name} exited (${code})\n${tail(proc)}`))));
        watchers.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return proc;
}

export const tail = (p: LecternProcess, lines = 40) => `--- ${p.name} ---\n${p.output.slice(-lines).join("\n")}`;

/** Runs `db:migrate` to completion, with the environment the API gets (one env file for all). */
export async function migrate(env: Record<string, string>) {
  const run = startEntry("migrate", env);
  const line = await run.waitForOutput(/^migrations applied: (\d+)\/\1$/, 120_000);
  await run.stop();
  return line;
}

/**
 * The environment an operator gives the API and worker processes (docs/deployment.md). `publicUrl`:
 * the origin users see (one for every process, as behind a load balancer).
 */
export function productionEnv(
  databaseUrl: string,
  { port, publicUrl }: { port: number; publicUrl: string },
  extra: Record<string, string> = {},
) {
  return {
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: "production-test-secret-0123456789abcdef0123456789",
    API_HOST: "127.0.0.1",
    API_PORT: String(port),
    API_URL: publicUrl,
    WEB_URL: publicUrl,
    ADMIN_URL: `${publicUrl}/admin`,
    WORKER_IN_PROCESS: "false",
    // As behind a load balancer: the client address comes from X-Forwarded-For.
    TRUST_PROXY: "true",
    ...extra,
  };
}

/**
 * A browser-like client (cookie jar, the apps' Origin, a client IP) talking to an API port over HTTP;
 * pass another agent's cookies to be the same browser reaching another process.
 */
export function httpAgent(port: number, origin: string, options: { ip?: string; cookies?: Map<string, string> } = {}) {
  const request = (path: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${port}${path}`, { ...init, redirect: "manual" });
  return new Agent({ request }, { origin, ip: options.ip }, options.cookies);
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
