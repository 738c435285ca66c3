export { EnvError, envSchema, googleSignInEnabled, loadEnv, parseEnv, trustedOrigins } from "./env.ts";
export type { Env } from "./env.ts";
