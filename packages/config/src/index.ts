export type { Env } from "./env.ts";
export {
  assertProductionEntryEnv,
  EnvError,
  envSchema,
  googleSignInEnabled,
  loadEnv,
  parseEnv,
  trustedOrigins,
} from "./env.ts";
