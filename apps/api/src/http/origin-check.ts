const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(headers: Headers): string | null {
  const header = headers.get("authorization") ?? "";
  if (header.slice(0, 7).toLowerCase() !== "bearer ") return null;
  return header.slice(7).trim() || null;
}

/**
 * The CSRF rule for state-changing calls, shared by tRPC and the REST routes. It guards cookies, the
 * only credential a browser attaches by itself: a request that carries any cookie must come from a
 * trusted Origin (a browser always sends one on a POST), whatever else it carries, so a bearer token
 * never lifts it. A request authenticated by a bearer token alone (a native app or script; a page on
 * another site cannot add that header without passing CORS) needs no Origin.
 */
export function isCrossOriginRefused(
  request: { method: string; headers: Headers },
  trustedOrigins: readonly string[],
): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const { headers } = request;
  const origin = headers.get("origin");
  if (origin) return !trustedOrigins.includes(origin);
  if (headers.has("cookie")) return true;
  if (bearerToken(headers)) return false;
  // No credential at all: refuse what the browser itself says comes from another site.
  return headers.get("sec-fetch-site") === "cross-site";
}

/**
 * Node's fetch (undici) sends `Sec-Fetch-Mode: cors` on every request, while a browser always sends
 * `Sec-Fetch-Site` with it. better-auth reads any fetch metadata as "a browser" and then demands an
 * Origin for sign-in (its login-CSRF guard), which would lock scripts out. Metadata without
 * Sec-Fetch-Site is not a browser's: drop it. A browser's own metadata is left as it is.
 */
export function dropNonBrowserFetchMetadata(headers: Headers) {
  if (headers.has("sec-fetch-site")) return;
  headers.delete("sec-fetch-mode");
  headers.delete("sec-fetch-dest");
  headers.delete("sec-fetch-user");
}
