import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const migrationsFolder = fileURLToPath(new URL("../migrations/", import.meta.url));
/** Local state kept out of git: embedded Postgres data, caches. */
export const localStateDir = fileURLToPath(new URL("../../../.lectern/", import.meta.url));
