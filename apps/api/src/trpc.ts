import {
  type ApiErrorData,
  ERROR_CODES,
  type ErrorCode,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  type Role,
  type ValidationIssue,
} from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { initTRPC, TRPCError } from "@trpc/server";
import { middlewareMarker } from "@trpc/server/unstable-core-do-not-import";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError, type z } from "zod";
import type { Auth } from "./auth/index.ts";
import type { Credential, RequestSession, RequestUser } from "./auth/session.ts";
import { AppError, fromDatabaseError } from "./errors.ts";
import { spendBudget } from "./http/request-limits.ts";
import { serializeOutput } from "./http/superjson-output.ts";
import type { Logger } from "./logger.ts";
import { withAuditScope } from "./modules/audit/service.ts";
import * as idempotency from "./modules/payments/idempotency.ts";
import type { PaymentRegistry } from "./modules/payments/providers/registry.ts";

export interface Context {
  db: Db;
  env: Env;
  auth: Auth;
  logger: Logger;
  /** The request's headers (cookies) for calls into better-auth on the caller's behalf. */
  headers: Headers;
  /** Headers to add to the response (Set-Cookie from better-auth). */
  resHeaders: Headers;
  ip: string | null;
  session: RequestSession | null;
  user: (RequestUser & { role: Role }) | null;
  /** How the session was presented: the browser's cookie or an `Authorization: Bearer` token. */
  credential: Credential | null;
  /** Payment providers by currency and name (modules/payments/providers/registry.ts); one per app. */
  payments: PaymentRegistry;
}

const TRPC_CODE_BY_STATUS: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
};

const APP_CODE_BY_TRPC: Partial<Record<TRPCError["code"], ErrorCode>> = {
  BAD_REQUEST: "BAD_REQUEST",
  PARSE_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "RATE_LIMITED",
  METHOD_NOT_SUPPORTED: "METHOD_NOT_ALLOWED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
};

/** tRPC's own refusals whose text is safe and useful, with a stable code of ours. */
const TRPC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BATCH_TOO_LARGE: "Too many calls in one batch request",
  UNSUPPORTED_MEDIA_TYPE: "Send the request body as application/json",
  PAYLOAD_TOO_LARGE: "The request body is too large",
};

const GENERIC_MESSAGE = "Something went wrong on our side";
const UNREADABLE_MESSAGE = "The request could not be read: send JSON in tRPC's format";

const toIssues = (error: ZodError): ValidationIssue[] =>
  error.issues.map((issue) => ({
    path: issue.path.map((key) => (typeof key === "number" ? key : String(key))),
    code: issue.code,
    message: issue.message,
  }));

/** One line for people; the fields' own problems travel in data.issues. */
export function validationMessage(issues: ValidationIssue[]): string {
  const [first] = issues;
  if (!first) return "The input is not valid";
  const line = first.path.length > 0 ? `${first.path.join(".")}: ${first.message}` : first.message;
  return issues.length > 1 ? `${line} (and ${issues.length - 1} more)` : line;
}

/** Which of our codes a tRPC error carries (AppError's own, else by tRPC code), before the message. */
function appCodeOf(error: TRPCError): ErrorCode {
  const cause = error.cause;
  if (cause instanceof AppError) return cause.code;
  if (cause instanceof ZodError) return "VALIDATION_FAILED";
  // tRPC's maxBatchSize refusal has no code of its own; its message is fixed in @trpc/server.
  if (error.code === "BAD_REQUEST" && error.message === "Batch call exceeds maximum size") return "BATCH_TOO_LARGE";
  if (error.code === "PARSE_ERROR") return "BAD_REQUEST";
  return APP_CODE_BY_TRPC[error.code] ?? "INTERNAL";
}

export const toTRPCError = (error: AppError) =>
  new TRPCError({
    code: TRPC_CODE_BY_STATUS[error.status] ?? "INTERNAL_SERVER_ERROR",
    message: error.message,
    cause: error,
  });

// `meta.openapi` puts a procedure on the REST surface (/api/v1) and in its OpenAPI document.
const builder = initTRPC.context<Context>().meta<OpenApiMeta>();
const t = builder.create({
  // Requests are read by superjson; answers are written in its format by a faster walk.
  transformer: { input: superjson, output: { serialize: serializeOutput, deserialize: superjson.deserialize } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const issues = cause instanceof ZodError ? toIssues(cause) : [];
    const appCode = appCodeOf(error);
    // Only our own errors' messages reach clients: an unexpected exception's text
    // ("Cannot destructure property…") and tRPC's parser messages stay in the log.
    const message =
      appCode === "VALIDATION_FAILED"
        ? validationMessage(issues)
        : cause instanceof AppError
          ? cause.message
          : appCode === "INTERNAL"
            ? GENERIC_MESSAGE
            : // A body tRPC could not decode carries the decoder's exception text: not for clients.
              appCode === "BAD_REQUEST" && cause instanceof Error
              ? UNREADABLE_MESSAGE
              : (TRPC_MESSAGES[appCode] ?? shape.message);
    const data: ApiErrorData = { appCode, status: ERROR_CODES[appCode], httpStatus: shape.data.httpStatus, issues };
    const { stack: _stack, ...rest } = shape.data;
    return { ...shape, message, data: { ...rest, ...data } };
  },
});

/**
 * An output schema that tRPC checks with zod's synchronous parse. tRPC calls `parseAsync`, which
 * skips zod's compiled fast path for objects; outputs have no asynchronous rules, so the synchronous
 * parse checks exactly the same (on a page of sessions it cost the list a tenth of its CPU). The
 * schema itself stays what the OpenAPI document is generated from.
 */
export function syncChecked<T extends z.ZodType>(schema: T): T {
  const checked = Object.create(schema) as T;
  Object.defineProperty(checked, "parseAsync", { value: async (value: unknown) => schema.parse(value) });
  return checked;
}

/**
 * An output schema tRPC does not check: for the hottest lists, whose answers the service builds
 * field by field in the schema's shape (their tests parse each answer with the schema and compare).
 * Checking a page of sessions cost a copy of every object in it; the schema still types the
 * procedure and generates its OpenAPI document.
 */
export function documentedOutput<T extends z.ZodType>(schema: T): T {
  const documented = Object.create(schema) as T;
  Object.defineProperty(documented, "parseAsync", { value: async (value: unknown) => value });
  return documented;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** A failed result's AppError or database conflict (thrown by a service), as its typed 4xx. */
function withTypedErrors<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  if (result.ok) return result;
  const cause = result.error.cause;
  const appError = cause instanceof AppError ? cause : fromDatabaseError(cause);
  if (appError) throw toTRPCError(appError);
  return result;
}

export const publicProcedure = t.procedure.use(async ({ next }) => withTypedErrors(await next()));

/** Each user's mutations per window, counted in Postgres: every API process draws on one budget. */
async function spendMutationBudget(ctx: Context, userId: string) {
  const spent = await spendBudget(ctx.db, `mutations:${userId}`, {
    max: ctx.env.MUTATION_RATE_LIMIT_MAX,
    windowSeconds: ctx.env.MUTATION_RATE_LIMIT_WINDOW_SECONDS,
  });
  if (!spent.allowed) {
    ctx.resHeaders.set("retry-after", String(spent.retryAfterSeconds));
    throw toTRPCError(
      new AppError("RATE_LIMITED", `Too many changes in a short time; try again in ${spent.retryAfterSeconds} s`),
    );
  }
}

/**
 * Signed in, within the mutation budget, errors typed: one middleware, not three (tRPC copies its
 * options at every level, a measurable share of the hottest reads).
 */
export const authedProcedure = t.procedure.use(async ({ ctx, type, next }) => {
  const { user, session } = ctx;
  if (!user || !session) throw toTRPCError(new AppError("UNAUTHENTICATED", "Please sign in"));
  if (type === "mutation") await spendMutationBudget(ctx, user.id);
  // Only the narrowed fields: tRPC merges them into the context (spreading it ourselves copied it twice).
  const narrowed = { ctx: { user, session } };
  // Everything audited from an impersonated session names the admin behind it too; without an
  // impersonator there is nothing to add (no scope reads as none), so most requests skip the scope.
  const impersonatorId = session.impersonatedBy;
  return withTypedErrors(
    await (impersonatorId ? withAuditScope({ impersonatorId }, () => next(narrowed)) : next(narrowed)),
  );
});

export const teacherProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "teacher" && ctx.user.role !== "admin")
    throw toTRPCError(new AppError("FORBIDDEN", "Only teachers can do this"));
  return next();
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw toTRPCError(new AppError("ADMIN_ONLY", "Only admins can do this"));
  return next();
});

/** The user's own-account actions (devices and tokens; next: checkout, withdrawals): not by an admin acting as them. */
export const ownerOnlyProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.session.impersonatedBy)
    throw toTRPCError(new AppError("NOT_WHILE_IMPERSONATING", "An admin acting as this user cannot do this"));
  return next();
});

/** A session an admin opened as another user: only the way back out is allowed here. */
export const impersonationProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.session.impersonatedBy)
    throw toTRPCError(new AppError("NOT_IMPERSONATING", "This session is not impersonating anyone"));
  return next({ ctx: { ...ctx, impersonatorId: ctx.session.impersonatedBy } });
});

/**
 * Idempotency-Key on a money-moving mutation; `.use(idempotent)` after `.input()` so the parsed input is
 * hashed. The first request claims the key (committed at once), then runs in one transaction that also
 * stores its response: the effect and its replayable response commit together or not at all. A retry
 * with the same body replays that response (even if the state changed since), a duplicate while the
 * first runs gets IDEMPOTENCY_IN_PROGRESS (409), another body or procedure IDEMPOTENCY_KEY_REUSED (422).
 * A failed request (any error, 4xx or 5xx) changed nothing, so its key is released and a retry runs
 * again. Without the header the mutation runs as before (clients outside the apps).
 */
export const idempotent = t.middleware(async ({ ctx, type, path, input, next }) => {
  const key = ctx.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (type !== "mutation" || key === null || !ctx.user) return next();
  if (!IDEMPOTENCY_KEY_PATTERN.test(key))
    throw toTRPCError(
      new AppError("IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 8 to 128 characters of A-Z, a-z, 0-9, _ and -"),
    );
  const scope = { userId: ctx.user.id, key, path, requestHash: idempotency.requestHash(path, input) };
  const claim = await idempotency.claimKey(ctx.db, scope, ctx.env).catch((error: unknown) => {
    throw error instanceof AppError ? toTRPCError(error) : error;
  });
  if (claim.kind === "replay") {
    ctx.resHeaders.set("idempotent-replayed", "true");
    // A stored result stands in for the procedure's own (tRPC brands results with this marker).
    return { ok: true as const, data: claim.data, marker: middlewareMarker };
  }
  let failed: Awaited<ReturnType<typeof next>> | undefined;
  try {
    return await ctx.db.transaction(async (tx) => {
      // Services' own transactions become savepoints of this one.
      const result = await next({ ctx: { ...ctx, db: tx as unknown as Db } });
      if (!result.ok) {
        failed = result;
        throw result.error;
      }
      await idempotency.completeKey(tx, scope, result.data);
      return result;
    });
  } catch (error) {
    await idempotency.releaseKey(ctx.db, scope);
    if (failed) return failed;
    throw error;
  }
});
