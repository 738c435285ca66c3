import { afterAll, inject } from "vitest";
import { createTestApp } from "./index.ts";

/** The API on this test file's own database, closed after the file. */
export async function useTestApp(overrides: Record<string, string> = {}) {
  const t = await createTestApp(inject("pg"), overrides);
  afterAll(() => t.close());
  return t;
}
