import { ERROR_CODES, type ErrorCode, TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { type Env, trustedOrigins } from "@lectern/config";
import { type Database, migrationStatus } from "@lectern/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "drizzle-orm";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { routePath } from "hono/route";
import { secureHeaders } from "hono/secure-headers";
import superjson from "superjson";
import { type Auth, CLIENT_IP_HEADER } from "./auth/index.ts";
import { createSessionResolver } from "./auth/session.ts";
import { createSessionCache } from "./auth/session-cache.ts";
import { clientIp } from "./http/client-ip.ts";
import { dropNonBrowserFetchMetadata, isCrossOriginRefused } from "./http/origin-check.ts";
import { createRestSurface, DOCS_PATH, OPENAPI_PATH, REST_BASE, restError } from "./http/rest.ts";
import { serveBuiltApps } from "./http/static-apps.ts";
import type { Logger } from "./logger.ts";
import { createPaymentRegistry, type PaymentRegistry } from "./modules/payments/providers/registry.ts";
import { paymentRoutes } from "./modules/payments/webhooks.ts";
import { renderCalendarFeed } from "./modules/tutoring/calendar.ts";
import { appRouter } from "./router.ts";
import type { Context as TrpcContext } from "./trpc.ts";

export interface AppDeps {
  env: Env;
  database: Database;
  auth: Auth;
  logger: Logger;
  /** Payment providers; default: from env, the local one delivering its webhooks to this app in process. */
  payments?: PaymentRegistry;
}

type AppEnv = { Variables: { logger: Logger; requestId: string; ip: string | null } };

export function createApp({ env, database, auth, logger, payments: injectedPayments }: AppDeps) {
  const origins = trustedOrigins(env);
  const resolveSession = createSessionResolver(
    auth,
    database.pool,
    createSessionCache(database.sessionChanges, env.SESSION_CACHE_TTL_MS),
  );
  const app = new Hono<AppEnv>();
  const payments =
    injectedPayments ??
    createPaymentRegistry({ env, db: database.db, logger, deliverLocal: async (request) => app.fetch(request) });

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    const log = logger.child({ reqId: c.get("requestId") });
    c.set("logger", log);
    c.set("ip", clientIp(c, env.TRUST_PROXY));
    await next();
    // The route's pattern, never the path: paths carry secrets (calendar feed and reset tokens).
    const route = routePath(c, -1);
    log.info(
      { method: c.req.method, route, status: c.res.status, ms: Math.round(performance.now() - started) },
      "request",
    );
  });
  app.use(secureHeaders());
  const corsForApps = cors({
    origin: (origin) => (origins.includes(origin) ? origin : null),
    credentials: true,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["content-type", "trpc-accept", "x-trpc-source", "idempotency-key", "authorization"],
    // A client signing in reads its bearer token from here (better-auth's bearer plugin).
    exposeHeaders: ["set-auth-token"],
    maxAge: 600,
  });
  app.use("/api/*", (c, next) =>
    c.req.method !== "OPTIONS" && c.req.path.startsWith("/api/trpc/") ? next() : corsForApps(c, next),
  );
  // tRPC answers get the same CORS headers (and the request id) set in place once they exist:
  // hono/cors touches c.res before the handler, after which Hono rebuilds the handler's response
  // around a stream and @hono/node-server loses its fast path (one write with Content-Length).
  app.use("/api/trpc/*", async (c, next) => {
    await next();
    const headers = c.res.headers;
    const origin = c.req.header("origin");
    if (origin && origins.includes(origin)) headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-credentials", "true");
    headers.append("vary", "Origin");
    headers.set("x-request-id", c.get("requestId"));
  });
  // Refuse oversized bodies before anything reads them, in each door's own error shape.
  const limit = { maxSize: env.REQUEST_BODY_LIMIT_BYTES };
  const tooLarge = "The request body is too large";
  const trpcBodyLimit = bodyLimit({ ...limit, onError: (c) => trpcErrorResponse(c, "PAYLOAD_TOO_LARGE", tooLarge) });
  // tRPC reads no body on a query (GET): asking for one would make @hono/node-server build a full
  // fetch Request for every query, a measurable share of the hottest reads (bench/http.ts).
  app.use("/api/trpc/*", (c, next) => (c.req.method === "GET" ? next() : trpcBodyLimit(c, next)));
  app.use(
    "/api/auth/*",
    bodyLimit({ ...limit, onError: (c) => c.json({ code: "PAYLOAD_TOO_LARGE", message: tooLarge }, 413) }),
  );
  app.onError((error, c) => {
    c.get("logger").error({ err: error }, "unhandled error");
    return c.json({ error: { code: "INTERNAL", message: "Something went wrong on our side" } }, 500);
  });

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await database.db.execute(sql`select 1`);
      const migrations = await migrationStatus(database);
      return migrations.current
        ? c.json({ status: "ready", migrations })
        : c.json({ status: "migrations pending", migrations }, 503);
    } catch (error) {
      c.get("logger").warn({ err: error }, "readiness check failed");
      return c.json({ status: "database unreachable" }, 503);
    }
  });

  // A user's private calendar feed: the token in the URL is the key. Upcoming sessions as iCal.
  app.get("/calendar/:file", async (c) => {
    const token = c.req.param("file").match(/^([A-Za-z0-9_-]{16,128})\.ics$/)?.[1];
    const feed = token ? await renderCalendarFeed(database.db, token) : null;
    if (!feed) return c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404);
    return c.body(feed, 200, {
      "content-type": "text/calendar; charset=utf-8",
      "cache-control": "private, max-age=300",
    });
  });

  // better-auth's admin plugin endpoints (ban, set-role, impersonate, ...) would skip Lectern's rules
  // and audit log: admins act through the admin.* procedures, which call them server-side.
  app.all("/api/auth/admin/*", (c) => c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404));

  app.on(["GET", "POST"], "/api/auth/*", (c) => {
    // better-auth reads the client IP (for rate limits) from a header only we may set.
    const headers = new Headers(c.req.raw.headers);
    headers.delete(CLIENT_IP_HEADER);
    const ip = c.get("ip");
    if (ip) headers.set(CLIENT_IP_HEADER, ip);
    dropNonBrowserFetchMetadata(headers);
    return auth.handler(new Request(c.req.raw, { headers }));
  });

  // CSRF: cookie requests must come from a trusted Origin; bearer-only ones need none (http/origin-check.ts).
  app.use("/api/trpc/*", async (c, next) => {
    if (isCrossOriginRefused(c.req.raw, origins))
      return trpcErrorResponse(c, "CROSS_ORIGIN_REQUEST", "Cross-origin request refused");
    return next();
  });

  /** One context for the tRPC and REST doors: the caller's session (cookie or bearer) resolved once. */
  const createContext = async (c: Context<AppEnv>, req: Request, resHeaders: Headers): Promise<TrpcContext> => {
    const session = await resolveSession(req.headers, resHeaders);
    return {
      db: database.db,
      env,
      auth,
      logger: c.get("logger"),
      headers: req.headers,
      resHeaders,
      ip: c.get("ip"),
      session: session?.session ?? null,
      user: session ? { ...session.user, role: normalizeRole(session.user.role) } : null,
      credential: session?.credential ?? null,
      payments,
    };
  };

  app.all("/api/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: c.req.raw,
      router: appRouter,
      allowMethodOverride: false,
      // The apps' httpBatchLink sends at most this many calls at once (maxItems).
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      // One place logs unexpected failures, whether in a procedure or in building its context.
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          c.get("logger").error({ err: error.cause ?? error, path }, "tRPC call failed");
      },
      createContext: ({ req, resHeaders }) => createContext(c, req, resHeaders),
    }),
  );

  // Payment providers' webhooks (raw body, signed) and the local provider's checkout page.
  app.route("/", paymentRoutes({ db: database.db, env, payments, logger }));

  // REST (/api/v1) over the same procedures, its OpenAPI document and a reference page (http/rest.ts).
  const rest = createRestSurface({ apiUrl: env.API_URL, auth });
  app.use(`${REST_BASE}/*`, bodyLimit({ ...limit, onError: () => restError("PAYLOAD_TOO_LARGE", tooLarge) }));
  app.use(`${REST_BASE}/*`, async (c, next) =>
    isCrossOriginRefused(c.req.raw, origins)
      ? restError("CROSS_ORIGIN_REQUEST", "Cross-origin request refused")
      : next(),
  );
  app.all(`${REST_BASE}/*`, (c) =>
    rest.handle(c.req.raw, c.get("logger"), (req, resHeaders) => createContext(c, req, resHeaders)),
  );
  app.get(OPENAPI_PATH, async (c) => c.json(await rest.document()));
  app.get(DOCS_PATH, rest.docsPage);

  // Last, so that no API route can be shadowed by a file or an app's client-side route.
  if (env.SERVE_APPS) serveBuiltApps(app);

  return app;
}

export type App = ReturnType<typeof createApp>;

/** Refusals answered before tRPC runs, with tRPC's JSON-RPC code and name for their status. */
const EARLY_REFUSALS = {
  CROSS_ORIGIN_REQUEST: [-32003, "FORBIDDEN"],
  PAYLOAD_TOO_LARGE: [-32013, "PAYLOAD_TOO_LARGE"],
} as const satisfies Partial<Record<ErrorCode, readonly [number, string]>>;

/** Shaped like the error formatter's output (superjson-wrapped) so tRPC clients can read the code. */
function trpcErrorResponse(c: Context, appCode: keyof typeof EARLY_REFUSALS, message: string) {
  const status = ERROR_CODES[appCode];
  const [code, trpcCode] = EARLY_REFUSALS[appCode];
  const error = {
    message,
    code,
    data: { code: trpcCode, httpStatus: status, appCode, status, issues: [] },
  };
  return c.json({ error: superjson.serialize(error) }, status);
}

function normalizeRole(role: string | null | undefined) {
  return role === "admin" || role === "teacher" ? role : "learner";
}
