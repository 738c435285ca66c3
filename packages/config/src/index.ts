export type { Env } from "./env.ts";
export { EnvError, envSchema, googleSignInEnabled, loadEnv, parseEnv, trustedOrigins } from "./env.ts";
