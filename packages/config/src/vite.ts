import type { IncomingMessage, ServerResponse } from "node:http";
import type { Plugin, PluginOption, UserConfigFnObject } from "vite";
import { parseEnv } from "./env.ts";

/**
 * The Vite config both browser apps share. A build is static files and reads no environment; the
 * dev and preview servers proxy /api to the API so the browser stays on one origin.
 */
export function browserAppConfig(app: "web" | "admin", plugins: PluginOption[]): UserConfigFnObject {
  return ({ command }) => {
    // The console lives under /admin/ so that the API can serve both builds from one origin (one
    // cookie host); its dev and preview servers use the same path, so one build works everywhere.
    const base = app === "admin" ? ADMIN_BASE : "/";
    const appPlugins = app === "admin" ? [...plugins, adminTrailingSlash()] : plugins;
    const build = {
      rolldownOptions: {
        // Libraries change less often than the app: separate chunks stay cached across releases. Only
        // what the first screen imports ($initial) is grouped: library code used by lazily loaded pages
        // stays with those pages instead of joining the first download.
        output: {
          codeSplitting: {
            groups: [
              {
                name: "react",
                test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
                tags: ["$initial" as const],
                priority: 3,
              },
              {
                name: "mantine",
                test: /node_modules[\\/]@(mantine|floating-ui)[\\/]/,
                tags: ["$initial" as const],
                priority: 2,
              },
              { name: "vendor", test: /node_modules/, tags: ["$initial" as const], priority: 1 },
            ],
          },
        },
      },
    };
    if (command === "build") return { base, plugins: appPlugins, build };
    // Vite serves preview with NODE_ENV=production, where the API's own secrets would be demanded;
    // these local servers need only the URLs.
    const env = parseEnv({ ...process.env, NODE_ENV: "development" });
    const proxy = { "/api": { target: env.API_URL } };
    const url = new URL(app === "web" ? env.WEB_URL : env.ADMIN_URL);
    return {
      base,
      plugins: appPlugins,
      server: { port: Number(url.port), strictPort: true, proxy },
      preview: { port: app === "web" ? 4173 : 4174, proxy },
    };
  };
}

/** Where the console is served, by Vite and by the API (SERVE_APPS). */
export const ADMIN_BASE = "/admin/";

/** Vite answers "/admin" (ADMIN_URL without its slash) with a 404 page: send it to "/admin/". */
function adminTrailingSlash(): Plugin {
  const redirect = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const [path, query] = (req.url ?? "").split("?");
    if (path !== ADMIN_BASE.slice(0, -1)) return next();
    res.writeHead(301, { location: `${ADMIN_BASE}${query ? `?${query}` : ""}` }).end();
  };
  return {
    name: "lectern-admin-trailing-slash",
    configureServer: (server) => void server.middlewares.use(redirect),
    configurePreviewServer: (server) => void server.middlewares.use(redirect),
  };
}
