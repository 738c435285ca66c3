import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blockedDirectories, embeddedBinDir, freePort, startEmbeddedPostgres } from "@lectern/db";
import { afterAll, describe, expect, it } from "vitest";

// A private folder like a root home directory or `mktemp -d` (mode 0700, owned by root).
const privateDir = await mkdtemp(join(tmpdir(), "lectern-private-"));
await chmod(privateDir, 0o700);
afterAll(() => rm(privateDir, { recursive: true, force: true }));

const someoneElse = { uid: -1, gids: [] };

describe("embedded Postgres from a private folder", () => {
  it("finds the folders another user cannot pass through", async () => {
    const inside = join(privateDir, "checkout", ".lectern", "postgres");
    expect(await blockedDirectories(someoneElse, [inside])).toEqual([{ dir: privateDir, mode: 0o700 }]);
    // Its owner may enter, and so may others once it has o+x.
    expect(await blockedDirectories({ uid: process.getuid?.() ?? 0, gids: [] }, [inside])).toEqual([]);
    await chmod(privateDir, 0o711);
    expect(await blockedDirectories(someoneElse, [inside])).toEqual([]);
    await chmod(privateDir, 0o700);
    expect(existsSync(join(embeddedBinDir(), "initdb"))).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)(
    "as root, stops before initdb with a message that names the folder and says what to do",
    async () => {
      const dataDir = join(privateDir, "pg");
      const error = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(`${privateDir} (mode 0700)`);
      expect(error?.message).toContain(`chmod o+x ${privateDir}`);
      expect(error?.message).toContain("DATABASE_URL");
      expect(error?.message).not.toContain("EACCES");
      // Nothing was created on the way.
      expect(existsSync(dataDir)).toBe(false);
    },
  );
});
