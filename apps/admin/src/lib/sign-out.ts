/**
 * Ends the session and reloads, so nothing of the previous user stays in memory. The auth client loads
 * on first use: the first screen does not need it.
 */
export async function signOut() {
  const { authClient } = await import("./auth-client.ts");
  await authClient.signOut();
  window.location.assign(import.meta.env.BASE_URL);
}
