import { ERROR_CODES, type ErrorCode, type Role } from "@lectern/api-contract";
import type { Env } from "@lectern/config";
import type { Db } from "@lectern/db";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Auth } from "./auth/index.ts";
import { AppError, fromDatabaseError } from "./errors.ts";
import type { Logger } from "./logger.ts";

type SessionData = NonNullable<Awaited<ReturnType<Auth["api"]["getSession"]>>>;

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
  session: SessionData["session"] | null;
  user: (SessionData["user"] & { role: Role }) | null;
}

const TRPC_CODE_BY_STATUS: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  409: "CONFLICT",
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
};

export const toTRPCError = (error: AppError) =>
  new TRPCError({
    code: TRPC_CODE_BY_STATUS[error.status] ?? "INTERNAL_SERVER_ERROR",
    message: error.message,
    cause: error,
  });

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof ZodError ? z.flattenError(cause) : null;
    const appCode: ErrorCode =
      cause instanceof AppError
        ? cause.code
        : zodError
          ? "VALIDATION_FAILED"
          : (APP_CODE_BY_TRPC[error.code] ?? "INTERNAL");
    return {
      ...shape,
      // Never leak internals of unexpected errors to clients.
      message: appCode === "INTERNAL" ? "Something went wrong on our side" : shape.message,
      data: { ...shape.data, stack: undefined, appCode, status: ERROR_CODES[appCode], zodError },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns AppErrors and database conflicts thrown by services into typed 4xx responses. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  const appError = cause instanceof AppError ? cause : fromDatabaseError(cause);
  if (appError) throw toTRPCError(appError);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw toTRPCError(new AppError("UNAUTHENTICATED", "Please sign in"));
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
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

/** A session an admin opened as another user: only the way back out is allowed here. */
export const impersonationProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.session.impersonatedBy)
    throw toTRPCError(new AppError("NOT_IMPERSONATING", "This session is not impersonating anyone"));
  return next({ ctx: { ...ctx, impersonatorId: ctx.session.impersonatedBy } });
});
