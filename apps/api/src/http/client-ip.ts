import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

/**
 * The client's IP: behind a trusted proxy, the last X-Forwarded-For hop (the one our proxy
 * appended; earlier hops are whatever the client sent), else the socket's address. Without a
 * socket (in-process requests in tests) it is unknown.
 */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}
