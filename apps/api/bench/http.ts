// `pnpm bench`: loads the API on loopback for a bounded time and prints req/s, p50 and p99.
// Figures, not pass/fail: timing never fails a run.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

const DURATION_SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 32;

const child = spawn(process.execPath, [new URL("./server.ts", import.meta.url).pathname], {
  stdio: ["ignore", "pipe", "inherit"],
});
const firstLine = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once("line", resolve);
  child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
});
const { url, cookie } = JSON.parse(firstLine) as { url: string; cookie: string };

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, path: string, headers: Record<string, string> = {}): Promise<Figures> {
  const result = await autocannon({
    url: `${url}${path}`,
    headers,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
  });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

try {
  // Warm up the JIT and the connection pool before measuring.
  await autocannon({ url: `${url}/api/trpc/account.me`, headers: { cookie }, connections: 8, amount: 500 });
  const health = await load("GET /healthz", "/healthz");
  const me = await load("tRPC account.me (session + profile)", "/api/trpc/account.me", { cookie });

  console.log(`\nLectern API, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, loopback, embedded Postgres\n`);
  console.log(
    `${"endpoint".padEnd(40)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"errors".padStart(8)}${"vs healthz".padStart(12)}`,
  );
  for (const f of [health, me]) {
    console.log(
      `${f.name.padEnd(40)}${f.rps.toFixed(0).padStart(10)}${String(f.p50).padStart(9)}${String(f.p99).padStart(9)}${String(f.errors).padStart(8)}${`${((f.rps / health.rps) * 100).toFixed(1)}%`.padStart(12)}`,
    );
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
}
