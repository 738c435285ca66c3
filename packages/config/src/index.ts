export type { Env } from "./env.ts";
export {
  assertProductionEntryEnv,
  EnvError,
  envSchema,
  googleSignInEnabled,
  loadEnv,
  parseEnv,
  paymentProvidersEnabled,
  trustedOrigins,
} from "./env.ts";
