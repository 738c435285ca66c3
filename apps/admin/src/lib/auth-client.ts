import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({ baseURL: window.location.origin, basePath: "/api/auth" });

/** Ends the session and reloads, so nothing of the previous user stays in memory. */
export async function signOut() {
  await authClient.signOut();
  window.location.assign(import.meta.env.BASE_URL);
}
