import { ApiErrorBody, ERROR_CODES, type ErrorCode, type ValidationIssue } from "@lectern/api-contract";
import { Scalar } from "@scalar/hono-api-reference";
import type { MiddlewareHandler } from "hono";
import { createOpenApiFetchHandler, generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import type { Auth } from "../auth/index.ts";
import type { Logger } from "../logger.ts";
import { appRouter } from "../router.ts";
import { type Context as TrpcContext, validationMessage } from "../trpc.ts";

/**
 * The REST surface: the procedures that carry `meta.openapi` (see http/openapi-meta.ts), served
 * under /api/v1 by trpc-to-openapi with the same context, middlewares and services as tRPC, and
 * described by an OpenAPI document generated from the same zod schemas. Plain JSON: instants are
 * ISO 8601 strings, and every error has one shape (ApiErrorBody).
 */
export const REST_BASE = "/api/v1";
export const OPENAPI_PATH = "/api/openapi.json";
export const DOCS_PATH = "/api/docs";

export function restError(code: ErrorCode, message: string, issues: ValidationIssue[] = []) {
  const body: ApiErrorBody = { error: { code, status: ERROR_CODES[code], message, issues } };
  return Response.json(body, { status: ERROR_CODES[code] });
}

/** The tRPC door's own context factory: sessions (cookie or bearer) resolve the same way. */
type ContextFactory = (req: Request, resHeaders: Headers) => Promise<TrpcContext>;

export function createRestSurface({ apiUrl, auth }: { apiUrl: string; auth: Auth }) {
  let document: Promise<OpenAPIObject> | undefined;

  async function handle(req: Request, logger: Logger, createContext: ContextFactory): Promise<Response> {
    // Set-Cookie (session refresh) and Retry-After from the procedures land here, as on the tRPC door.
    const resHeaders = new Headers();
    const response = await createOpenApiFetchHandler({
      endpoint: REST_BASE,
      req,
      router: appRouter,
      createContext: ({ req }) => createContext(req, resHeaders),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR")
          logger.error({ err: error.cause ?? error, path }, "REST call failed");
      },
    });
    const answer = response.ok ? response : await toRestError(response);
    for (const [name, value] of resHeaders) {
      if (name === "set-cookie") answer.headers.append(name, value);
      else answer.headers.set(name, value);
    }
    return answer;
  }

  return {
    handle,
    document: () => {
      document ??= buildDocument(apiUrl, auth);
      return document;
    },
    docsPage: Scalar({ url: OPENAPI_PATH, pageTitle: "Lectern API" }) as MiddlewareHandler,
  };
}

/**
 * trpc-to-openapi answers errors with the error formatter's shape plus its own fields; clients get
 * ours instead: the same code, status and issues that tRPC errors carry in `data`.
 */
async function toRestError(response: Response): Promise<Response> {
  const body = (await response.json()) as {
    message?: string;
    code?: string;
    data?: { appCode?: ErrorCode; issues?: ValidationIssue[] };
  };
  const code = body.data?.appCode ?? "INTERNAL";
  const issues = body.data?.issues ?? [];
  const message =
    code === "VALIDATION_FAILED"
      ? validationMessage(issues)
      : body.code === "PARSE_ERROR"
        ? "The request body is not valid JSON"
        : (body.message ?? "Something went wrong on our side");
  const answer = restError(code, message, issues);
  return new Response(answer.body, { status: response.status, headers: answer.headers });
}

async function buildDocument(apiUrl: string, auth: Auth): Promise<OpenAPIObject> {
  const context = await auth.$context;
  const doc = generateOpenApiDocument(appRouter, {
    title: "Lectern API",
    version: "1",
    description: [
      "Lectern's public REST surface: the same procedures as the apps' tRPC API, in plain JSON.",
      "Instants are ISO 8601 strings in UTC. Every error answers with the `Error` shape: branch on `error.code`.",
      "Authenticate with the session cookie that signing in through `/api/auth/sign-in/email` sets; a call",
      "that changes something with that cookie must carry a trusted `Origin` header, as browsers do.",
      "Native apps and scripts may send `Authorization: Bearer <token>` instead (the `set-auth-token`",
      "header of the sign-in answer), with no Origin.",
    ].join(" "),
    baseUrl: `${apiUrl}${REST_BASE}`,
    securitySchemes: {
      sessionCookie: { type: "apiKey", in: "cookie", name: context.authCookies.sessionToken.name },
      bearerToken: { type: "http", scheme: "bearer" },
    },
    defs: { Error: ApiErrorBody },
  });
  return withOneErrorShape(doc);
}

/** Every answer outside 2xx points at the one Error schema, in place of the generator's own error objects. */
function withOneErrorShape(doc: OpenAPIObject): OpenAPIObject {
  const error = { content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
  for (const item of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, { description: string }> }).responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        if (!status.startsWith("2")) responses[status] = { description: response.description, ...error };
      }
    }
  }
  const schemas = doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  return doc;
}
