import { type Env, trustedOrigins } from "@lectern/config";
import { type Database, migrationStatus } from "@lectern/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import superjson from "superjson";
import { type Auth, CLIENT_IP_HEADER } from "./auth/index.ts";
import { clientIp } from "./http/client-ip.ts";
import type { Logger } from "./logger.ts";
import { renderCalendarFeed } from "./modules/tutoring/calendar.ts";
import { appRouter } from "./router.ts";
import type { Context as TrpcContext } from "./trpc.ts";

export interface AppDeps {
  env: Env;
  database: Database;
  auth: Auth;
  logger: Logger;
}

type AppEnv = { Variables: { logger: Logger; requestId: string; ip: string | null } };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function createApp({ env, database, auth, logger }: AppDeps) {
  const origins = trustedOrigins(env);
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    const log = logger.child({ reqId: c.get("requestId") });
    c.set("logger", log);
    c.set("ip", clientIp(c, env.TRUST_PROXY));
    await next();
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      "request",
    );
  });
  app.use(secureHeaders());
  app.use(
    "/api/*",
    cors({
      origin: (origin) => (origins.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ["GET", "POST", "OPTIONS"],
      allowHeaders: ["content-type", "trpc-accept", "x-trpc-source", "idempotency-key"],
      maxAge: 600,
    }),
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
    return auth.handler(new Request(c.req.raw, { headers }));
  });

  // CSRF: a browser always sends Origin on state-changing requests; refuse foreign ones.
  app.use("/api/trpc/*", async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header("origin");
    const crossSite = origin ? !origins.includes(origin) : c.req.header("sec-fetch-site") === "cross-site";
    if (crossSite) {
      // Shaped like the error formatter's output (superjson-wrapped) so tRPC clients can read the code.
      const error = {
        message: "Cross-origin request refused",
        code: -32003,
        data: { code: "FORBIDDEN", httpStatus: 403, appCode: "CROSS_ORIGIN_REQUEST", status: 403, zodError: null },
      };
      return c.json({ error: superjson.serialize(error) }, 403);
    }
    return next();
  });

  app.all("/api/trpc/*", (c) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: c.req.raw,
      router: appRouter,
      allowMethodOverride: false,
      // One place logs unexpected failures, whether in a procedure or in building its context.
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          c.get("logger").error({ err: error.cause ?? error, path }, "tRPC call failed");
      },
      createContext: async ({ req, resHeaders }): Promise<TrpcContext> => {
        const session = await auth.api.getSession({ headers: req.headers });
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
        };
      },
    }),
  );

  return app;
}

export type App = ReturnType<typeof createApp>;

function normalizeRole(role: string | null | undefined) {
  return role === "admin" || role === "teacher" ? role : "learner";
}
