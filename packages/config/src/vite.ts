import type { PluginOption, UserConfigFnObject } from "vite";
import { parseEnv } from "./env.ts";

/**
 * The Vite config both browser apps share. A build is static files and reads no environment; the
 * dev and preview servers proxy /api to the API so the browser stays on one origin.
 */
export function browserAppConfig(app: "web" | "admin", plugins: PluginOption[]): UserConfigFnObject {
  return ({ command }) => {
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
    if (command === "build") return { plugins, build };
    // Vite serves preview with NODE_ENV=production, where the API's own secrets would be demanded;
    // these local servers need only the URLs.
    const env = parseEnv({ ...process.env, NODE_ENV: "development" });
    const proxy = { "/api": { target: env.API_URL } };
    const url = new URL(app === "web" ? env.WEB_URL : env.ADMIN_URL);
    return {
      plugins,
      server: { port: Number(url.port), strictPort: true, proxy },
      preview: { port: app === "web" ? 4173 : 4174, proxy },
    };
  };
}
