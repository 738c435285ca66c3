import { loadEnv } from "@lectern/config";
import { startTestPostgres } from "@lectern/db/testing";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pg: { adminUrl: string; template: string };
  }
}

/** One Postgres per test run (embedded unless DATABASE_URL), with a migrated template database. */
export default async function setup(project: TestProject) {
  const pg = await startTestPostgres(loadEnv().DATABASE_URL);
  project.provide("pg", { adminUrl: pg.adminUrl, template: pg.template });
  return () => pg.stop();
}
