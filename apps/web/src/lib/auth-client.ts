import { inferAdditionalFields } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/** better-auth endpoints under /api/auth, on this origin (proxied to the API). */
export const authClient = createAuthClient({
  baseURL: window.location.origin,
  basePath: "/api/auth",
  plugins: [
    // The API accepts the browser's time zone and language at sign-up.
    inferAdditionalFields({
      user: { timezone: { type: "string", required: false }, locale: { type: "string", required: false } },
    }),
  ],
});
