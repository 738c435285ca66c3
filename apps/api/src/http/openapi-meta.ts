import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN } from "@lectern/api-contract";
import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";
import { z } from "zod";

interface RestRoute {
  method: OpenApiMethod;
  /** Under /api/v1; `{name}` takes that input field from the path. */
  path: `/${string}`;
  summary: string;
  /** The 4xx statuses this operation answers (each with the one error shape, see http/rest.ts). */
  errors: number[];
  /** Callable without signing in. */
  public?: boolean;
  /** Honours Idempotency-Key (the procedure uses trpc.ts `idempotent`). */
  idempotent?: boolean;
}

const IdempotencyHeaders = z.object({
  [IDEMPOTENCY_KEY_HEADER]: z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .meta({
      description:
        "Makes a retry safe: the same key and body replay the first answer (header idempotent-replayed: true); " +
        "the same key with another body is refused (422), and a duplicate while the first runs gets 409",
    }),
});

/**
 * Puts a procedure on the REST surface and in the OpenAPI document, tagged by its path's first
 * segment. A change (any method but GET) may also be refused as cross-origin (403), and everything
 * may fail on our side (500).
 */
export function rest(route: RestRoute): OpenApiMeta {
  const statuses = new Set([
    ...route.errors,
    ...(route.method === "GET" ? [] : [403]),
    ...(route.idempotent ? [409, 422] : []),
    500,
  ]);
  return {
    openapi: {
      method: route.method,
      path: route.path,
      summary: route.summary,
      tags: [route.path.split("/")[1] ?? "api"],
      protect: !route.public,
      errorResponses: [...statuses].sort((a, b) => a - b),
      ...(route.idempotent ? { requestHeaders: IdempotencyHeaders } : {}),
    },
  };
}
