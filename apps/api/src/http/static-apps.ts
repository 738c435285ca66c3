import { readFile } from "node:fs/promises";
import { basename, extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, Hono, Next } from "hono";
import { compress } from "hono/compress";
import { getMimeType } from "hono/utils/mime";

/**
 * SERVE_APPS: the built web app at / and the console at /admin/ (the base it is built with, see
 * @lectern/config/vite), from the API's own origin. Mounted after every API route.
 */
const APPS = [
  { base: "/admin/", root: fileURLToPath(new URL("../../../admin/dist/", import.meta.url)) },
  { base: "/", root: fileURLToPath(new URL("../../../web/dist/", import.meta.url)) },
];

/** Paths the API owns: an unknown one is a 404, never an app's index.html. */
const API_PREFIXES = ["/api/", "/webhooks/", "/calendar/", "/healthz", "/readyz"];

/** Vite names what it emits under assets/ by content hash: a changed file gets a new name. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The apps load scripts, styles and data from this origin only; Mantine sets inline styles; avatars
 * may be any https image. Documents may not be framed (clickjacking on admin actions).
 */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

// biome-ignore lint/suspicious/noExplicitAny: mounted on the app whatever its Variables
export function serveBuiltApps(app: Hono<any>) {
  app.get("/admin", (c) => c.redirect(`/admin/${new URL(c.req.url).search}`, 301));
  app.on(["GET", "HEAD"], "*", compress(), async (c: Context, next: Next) => {
    const path = c.req.path;
    if (API_PREFIXES.some((p) => path.startsWith(p))) return next();
    const target = APPS.find((a) => path.startsWith(a.base));
    if (!target) return next();
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(target.base.length));
    } catch {
      return next();
    }
    const file = resolve(target.root, relative);
    // No way out of the build directory (../, encoded or not).
    if (file !== resolve(target.root) && !file.startsWith(resolve(target.root) + sep)) return next();
    const body = relative && !relative.endsWith("/") ? await readFile(file).catch(() => null) : null;
    if (body) {
      const cache = relative.startsWith("assets/") ? IMMUTABLE : "public, max-age=3600";
      return send(c, body, basename(file), cache);
    }
    // A missing file (an old chunk after a release) is a 404, so the app can tell; any other path is
    // one of the app's own routes: its index.html, never cached, so a release is picked up at once.
    if (extname(relative)) return next();
    const index = await readFile(resolve(target.root, "index.html")).catch(() => null);
    if (!index) return next();
    return send(c, index, "index.html", "no-cache");
  });
}

function send(c: Context, body: Buffer, name: string, cacheControl: string) {
  const type = getMimeType(name) ?? "application/octet-stream";
  c.header("content-type", type);
  c.header("cache-control", cacheControl);
  if (type.startsWith("text/html")) c.header("content-security-policy", APP_CSP);
  if (c.req.method === "HEAD") return c.body(null);
  return c.body(new Uint8Array(body));
}
