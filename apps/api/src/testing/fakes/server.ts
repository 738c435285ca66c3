import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a fake received, kept for tests to assert on (idempotency keys, amounts, auth). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: string;
  /** the body parsed by the fake (JSON or Stripe's form encoding) */
  body: unknown;
}

export interface FakeResponse {
  status?: number;
  json?: unknown;
  html?: string;
  /** a 303 to this URL */
  redirect?: string;
  headers?: Record<string, string>;
}

/** Something that answers requests in-process, like the Hono app (`app.request`). */
export type Fetchable = { request: (input: string, init?: RequestInit) => Response | Promise<Response> };

interface Failure {
  method: string;
  path: string | RegExp;
  response: FakeResponse;
}

/**
 * A provider fake on 127.0.0.1 and a free port. `handle` answers each request; `failNext` makes
 * the next matching request fail instead (provider outages, refusals), once.
 */
export async function startFakeServer(
  parse: (raw: string, contentType: string) => unknown,
  handle: (request: RecordedRequest, baseUrl: string) => FakeResponse | Promise<FakeResponse>,
) {
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];
  let baseUrl = "";
  const server = createServer(async (req, res) => {
    try {
      const rawBody = await readBody(req);
      const url = new URL(req.url ?? "/", baseUrl);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers[key] = value;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers,
        rawBody,
        body: rawBody ? parse(rawBody, headers["content-type"] ?? "") : undefined,
      };
      requests.push(recorded);
      const failure = failures.findIndex(
        (f) =>
          f.method === recorded.method &&
          (typeof f.path === "string" ? f.path === recorded.path : f.path.test(recorded.path)),
      );
      const response =
        failure >= 0 ? (failures.splice(failure, 1)[0] as Failure).response : await handle(recorded, baseUrl);
      send(res, response);
    } catch (error) {
      send(res, { status: 500, json: { error: { message: (error as Error).message } } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    requests,
    /** The requests to one method and path (a string or a pattern). */
    requestsTo(method: string, path: string | RegExp) {
      return requests.filter(
        (r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)),
      );
    },
    failNext(method: string, path: string | RegExp, response: FakeResponse) {
      failures.push({ method, path, response });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: import("node:http").ServerResponse, response: FakeResponse) {
  const headers = { ...response.headers };
  let body = "";
  if (response.redirect) {
    headers.location = response.redirect;
  } else if (response.html !== undefined) {
    headers["content-type"] = "text/html; charset=utf-8";
    body = response.html;
  } else if (response.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(response.json);
  }
  res.writeHead(response.redirect ? 303 : (response.status ?? 200), headers);
  res.end(body);
}

/** Parses a JSON body; anything else is kept as text. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * POSTs a webhook the way the provider does: to a URL over the network, or straight into an
 * in-process app (`via`, e.g. a test app's Hono instance) at that URL's path and query.
 */
export async function postWebhook(
  url: string,
  rawBody: string,
  headers: Record<string, string>,
  via?: Fetchable,
): Promise<Response> {
  const init: RequestInit = {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: rawBody,
  };
  if (!via) return fetch(url, init);
  const { pathname, search } = new URL(url, "http://localhost");
  return via.request(`${pathname}${search}`, init);
}

let counter = 0;
/** A provider-looking id: prefix and random characters (and a counter, so two are never equal). */
export function fakeId(prefix: string, length = 14): string {
  counter += 1;
  const random = crypto.randomUUID().replaceAll("-", "").slice(0, length);
  return `${prefix}${random}${counter.toString(36)}`;
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
