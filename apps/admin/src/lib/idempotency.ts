import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_PROCEDURES } from "@lectern/api-contract";
import { type Operation, TRPCClientError } from "@trpc/client";

/**
 * Idempotency-Key for mutations. A key is made when an operation (one user action: one `mutate`) is
 * first sent and kept on that operation's context, so retryLink's retries of it send the same key and
 * get the first response replayed. A caller may pass its own: `{ trpc: { context: { idempotencyKey } } }`.
 */
export function idempotencyHeaders({ op }: { op: Operation }): Record<string, string> {
  op.context.idempotencyKey ??= crypto.randomUUID();
  return { [IDEMPOTENCY_KEY_HEADER]: String(op.context.idempotencyKey) };
}

const MUTATION_RETRIES = 2;

/**
 * Retry a mutation only where the server replays rather than repeats it (IDEMPOTENT_PROCEDURES), and only
 * when asking again may help: no response (network), a server error, or the first try still running.
 */
export function retryMutation({ op, error, attempts }: { op: Operation; error: unknown; attempts: number }) {
  if (op.type !== "mutation" || !IDEMPOTENT_PROCEDURES.includes(op.path) || attempts > MUTATION_RETRIES) return false;
  if (!(error instanceof TRPCClientError)) return false;
  const data = error.data as { httpStatus?: number; appCode?: string } | undefined;
  return data?.httpStatus === undefined || data.httpStatus >= 500 || data.appCode === "IDEMPOTENCY_IN_PROGRESS";
}

/** Backoff between retries: 0.5 s, 1 s, … */
export const retryDelayMs = (attempt: number) => 500 * 2 ** (attempt - 1);
