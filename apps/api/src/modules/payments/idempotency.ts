import { createHash } from "node:crypto";
import type { Env } from "@lectern/config";
import type { DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, eq, lte, sql } from "drizzle-orm";
import superjson from "superjson";
import { AppError } from "../../errors.ts";

/**
 * Idempotency keys (DESIGN.md §3): one code path for every money-moving mutation. The tRPC
 * middleware (trpc.ts `idempotent`) claims the key, runs the procedure and stores its response in
 * the procedure's own transaction; this module holds the rules and the SQL.
 */

export interface KeyScope {
  userId: string;
  key: string;
  path: string;
  requestHash: string;
}

type Settings = Pick<Env, "IDEMPOTENCY_KEY_TTL_HOURS" | "IDEMPOTENCY_IN_PROGRESS_LEASE_SECONDS">;

/** JSON with object keys sorted, so the same input always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** sha256 of the procedure path and its parsed input (dates and other types via superjson). */
export const requestHash = (path: string, input: unknown) =>
  createHash("sha256")
    .update(`${path}\n${canonicalJson(superjson.serialize(input))}`)
    .digest("hex");

export type Claim = { kind: "claimed" } | { kind: "replay"; data: unknown };

const K = schema.idempotencyKeys;

/**
 * Claims the key for this request (its own short statement, committed at once, so a concurrent
 * duplicate sees it), or says what the key already holds. An expired key, or one left "in progress"
 * past the lease by a process that died (its transaction rolled back), is claimed afresh.
 */
export async function claimKey(db: DbOrTx, scope: KeyScope, settings: Settings): Promise<Claim> {
  // A row released between our insert and our read makes us try again; twice is plenty.
  for (let attempt = 0; attempt < 3; attempt++) {
    const { rows: claimed } = await db.execute(sql`
      insert into idempotency_keys (user_id, key, path, request_hash, expires_at)
      values (${scope.userId}, ${scope.key}, ${scope.path}, ${scope.requestHash},
              now() + make_interval(hours => ${settings.IDEMPOTENCY_KEY_TTL_HOURS}))
      on conflict (user_id, key) do update set
        path = excluded.path, request_hash = excluded.request_hash, status = 'in_progress', response = null,
        created_at = now(), completed_at = null, expires_at = excluded.expires_at
      where idempotency_keys.expires_at <= now()
         or (idempotency_keys.status = 'in_progress'
             and idempotency_keys.created_at <= now() - make_interval(secs => ${settings.IDEMPOTENCY_IN_PROGRESS_LEASE_SECONDS}))
      returning 1`);
    if (claimed.length > 0) return { kind: "claimed" };

    const [row] = await db
      .select()
      .from(K)
      .where(and(eq(K.userId, scope.userId), eq(K.key, scope.key)));
    if (!row) continue;
    if (row.requestHash !== scope.requestHash)
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was already used for a different request; send a new key for a new request",
      );
    if (row.status === "in_progress")
      throw new AppError("IDEMPOTENCY_IN_PROGRESS", "The same request is still being processed; retry in a moment");
    return { kind: "replay", data: superjson.deserialize(row.response as Parameters<typeof superjson.deserialize>[0]) };
  }
  throw new AppError("IDEMPOTENCY_IN_PROGRESS", "The same request is still being processed; retry in a moment");
}

/** Stores the response for replay; call it in the transaction of the effect, so both commit or neither. */
export async function completeKey(tx: DbOrTx, scope: KeyScope, data: unknown) {
  await tx
    .update(K)
    .set({ status: "completed", response: superjson.serialize(data), completedAt: sql`now()` })
    .where(and(eq(K.userId, scope.userId), eq(K.key, scope.key), eq(K.requestHash, scope.requestHash)));
}

/** A request that failed changed nothing: free its key so a retry runs again (and may now succeed). */
export async function releaseKey(db: DbOrTx, scope: KeyScope) {
  await db
    .delete(K)
    .where(
      and(
        eq(K.userId, scope.userId),
        eq(K.key, scope.key),
        eq(K.requestHash, scope.requestHash),
        eq(K.status, "in_progress"),
      ),
    );
}

/** Deletes expired keys (a periodic job); returns how many. */
export async function purgeExpiredKeys(db: DbOrTx) {
  const deleted = await db.delete(K).where(lte(K.expiresAt, sql`now()`)).returning({ key: K.key });
  return { deleted: deleted.length };
}
