// `node bench/profile-summary.ts <dir> [top]`: the top self-time functions of each phase profiled by
// `pnpm bench --profile=<dir>`, as shares of the phase's busy (non-idle) samples.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [dir, topArg] = process.argv.slice(2);
if (!dir) throw new Error("usage: node bench/profile-summary.ts <dir> [top]");
const top = Number(topArg ?? 15);
const phases = JSON.parse(readFileSync(`${dir}/phases.json`, "utf8")) as string[];

/** node_modules/.pnpm/<pkg>@<v>/node_modules/<pkg>/dist/x.js → <pkg>/dist/x.js; our files relative to src. */
const where = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\/(?!\.pnpm)/, "")
    .replace(/^.*\/apps\/api\//, "");

for (const [i, name] of phases.entries()) {
  if (name === "idle") continue;
  let profile: Profile;
  try {
    profile = JSON.parse(readFileSync(`${dir}/${i + 1}.cpuprofile`, "utf8")) as Profile;
  } catch {
    continue;
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)" || frame.functionName === "(program)") continue;
    busy += 1;
    const key = `${frame.functionName || "(anonymous)"} ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const idle = profile.samples.length - busy;
  console.log(
    `\n## ${name}: ${busy} busy samples, ${((100 * idle) / profile.samples.length).toFixed(0)}% idle/program`,
  );
  for (const [key, n] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * n) / busy).toFixed(1).padStart(5)}%  ${key}`);
}
