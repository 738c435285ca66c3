import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const port = z.coerce.number().int().min(1).max(65535);
const url = z.url({ protocol: /^https?$/ });

const DEV_SECRET = "lectern-development-secret-do-not-use-in-production";

/**
 * Every environment variable Lectern reads. Defaults make `pnpm dev` work on a fresh machine;
 * in production the variables listed in PRODUCTION_REQUIRED must be set explicitly.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  /** Postgres 15+. Unset: an embedded Postgres is started (data under .lectern/ in the repo). */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  /** Connections the API process may hold (the in-process worker has its own pool: WORKER_POOL_MAX). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  /** Set on every connection, in milliseconds (0: no limit). A statement running longer is cancelled. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Waiting longer than this for a row lock fails the request with a retryable 409 (LOCK_TIMEOUT). */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** A transaction left idle this long is ended by Postgres, releasing its locks. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * How long an API process may reuse a session it has read (0: read it on every request). A sign-out,
   * a disabled user or any change to the user reaches every process at its commit, whatever this is.
   */
  SESSION_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),

  API_HOST: z.string().min(1).default("127.0.0.1"),
  API_PORT: port.default(3000),
  /** Public base URL of the API (better-auth callbacks, links in emails that hit the API). */
  API_URL: url.default("http://localhost:3000"),
  WEB_URL: url.default("http://localhost:5173"),
  /** Where the console lives: its build is served under /admin/ (dev server included). */
  ADMIN_URL: url.default("http://localhost:5174/admin"),
  /** Extra origins allowed to call the API with credentials, comma-separated http(s) origins. */
  EXTRA_TRUSTED_ORIGINS: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const entries = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const entry of entries) {
        const problem = originProblem(entry);
        if (problem) ctx.addIssue({ code: "custom", message: `"${entry}" ${problem}` });
      }
      return entries;
    }),
  /**
   * Serve the built web app (apps/web/dist) at / and the console (apps/admin/dist) at /admin/ from
   * the API's own origin: one cookie host, no CORS. Off when a CDN or another server serves them.
   */
  SERVE_APPS: bool.default(false),
  /** Trust X-Forwarded-For from a reverse proxy for the client IP (rate limits). */
  TRUST_PROXY: bool.default(false),

  BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").default(DEV_SECRET),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  SIGN_IN_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(5),
  SIGN_IN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** tRPC mutations one user may make per window, counted in Postgres across all API processes. */
  MUTATION_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(120),
  MUTATION_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
  /** How long an Idempotency-Key's response is kept for replay (at least a day; a job deletes older ones). */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(24).default(24),
  /**
   * A key still "in progress" after this long belongs to a request whose process died: another try may claim it.
   * Longer than any request can run (statement and idle-in-transaction timeouts end those sooner).
   */
  IDEMPOTENCY_IN_PROGRESS_LEASE_SECONDS: z.coerce.number().int().min(30).default(300),
  /** Largest request body accepted on /api/trpc and /api/auth (bytes). */
  REQUEST_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),

  /** Load the demo accounts (public password) into a database other than the embedded one. */
  SEED_DEMO: bool.default(false),

  /** smtp(s)://user:pass@host:port. Unset: emails stay in the outbox table and are logged. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  EMAIL_FROM: z.string().min(3).default("Lectern <no-reply@lectern.local>"),
  /** Outbox rows older than this many days are deleted by a daily job. */
  EMAIL_OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),

  // Money. A provider is on when its keys are set; with none, the `local` checkout and payouts serve
  // every currency so the embedded default sells and pays out for real. Base URLs exist for loopback fakes.
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Stripe API origin, e.g. http://127.0.0.1:12111 for a fake (default: api.stripe.com). */
  STRIPE_API_URL: url.optional(),
  PAYSTACK_SECRET_KEY: z.string().min(1).optional(),
  PAYSTACK_BASE_URL: url.default("https://api.paystack.co"),
  PAYMOB_API_KEY: z.string().min(1).optional(),
  PAYMOB_INTEGRATION_ID: z.coerce.number().int().positive().optional(),
  PAYMOB_IFRAME_ID: z.coerce.number().int().positive().optional(),
  PAYMOB_HMAC_SECRET: z.string().min(1).optional(),
  PAYMOB_BASE_URL: url.default("https://accept.paymob.com"),
  /** Signs the local provider's webhooks to ourselves (default: derived from BETTER_AUTH_SECRET). */
  LOCAL_PAYMENTS_SECRET: z.string().min(32).optional(),
  /** The platform's share of a creator's sale, in percent. */
  PLATFORM_FEE_PERCENT: z.coerce.number().min(0).max(100).default(20),
  /** A tax line on receipts (e.g. "VAT") and its rate in basis points, included in the price; unset: no tax line. */
  TAX_LABEL: z.string().min(1).max(40).optional(),
  TAX_RATE_BASIS_POINTS: z.coerce.number().int().min(0).max(10_000).default(0),
  /** An unpaid order expires after this many minutes (the provider's session expires with it). */
  ORDER_EXPIRY_MINUTES: z.coerce
    .number()
    .int()
    .min(30)
    .max(24 * 60)
    .default(60),

  /** Run the graphile-worker inside the API process (set false when running `worker` alone). */
  WORKER_IN_PROCESS: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Connections the worker holds, apart from the API's: its jobs never starve requests of connections. */
  WORKER_POOL_MAX: z.coerce.number().int().min(2).max(500).default(6),
});

export type Env = z.infer<typeof envSchema>;

/** Why an EXTRA_TRUSTED_ORIGINS entry is not a plain http(s) origin, or undefined when it is. */
function originProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "is not an http(s) origin";
  // An origin is scheme://host[:port]; a path, query or credentials would silently be dropped.
  if (url.origin !== entry.replace(/\/$/, "").toLowerCase()) return `is not an origin (did you mean "${url.origin}"?)`;
  return undefined;
}

const PRODUCTION_REQUIRED = ["DATABASE_URL", "BETTER_AUTH_SECRET", "API_URL", "WEB_URL", "ADMIN_URL"] as const;

export class EnvError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid environment:\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "EnvError";
    this.issues = issues;
  }
}

type Source = Record<string, string | undefined>;

/** Parses the environment once; throws EnvError naming every offending variable. */
export function parseEnv(source: Source): Env {
  // An empty string means "unset", as in most deploy tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const issues: string[] = [];
  if (cleaned.NODE_ENV === "production") {
    for (const name of PRODUCTION_REQUIRED) {
      if (cleaned[name] === undefined) issues.push(`${name}: required in production`);
    }
    if (cleaned.BETTER_AUTH_SECRET === DEV_SECRET) {
      issues.push("BETTER_AUTH_SECRET: the development secret cannot be used in production");
    }
    if (Boolean(cleaned.GOOGLE_CLIENT_ID) !== Boolean(cleaned.GOOGLE_CLIENT_SECRET)) {
      issues.push("GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET: set both or neither");
    }
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join(".");
      if (!issues.some((i) => i.startsWith(`${name}:`))) issues.push(`${name}: ${issue.message}`);
    }
  }
  if (issues.length > 0 || !parsed.success) throw new EnvError(issues);
  return parsed.data;
}

let cached: Env | undefined;

/** The process environment, validated. The only place in Lectern that reads process.env. */
export function loadEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Origins allowed to send credentialed, state-changing requests. Never "null" (opaque origins). */
export function trustedOrigins(env: Env): string[] {
  const origins = [env.WEB_URL, env.ADMIN_URL, env.API_URL, ...env.EXTRA_TRUSTED_ORIGINS].map((u) => new URL(u).origin);
  return [...new Set(origins)].filter((origin) => origin !== "null");
}

/**
 * The production entries (API, worker) run with whatever environment the host gives them: without
 * an explicit NODE_ENV=development they refuse the public development secret and a missing
 * DATABASE_URL (which would start an embedded database inside the deployment). Throws EnvError.
 */
export function assertProductionEntryEnv(source: Source = process.env): void {
  if (source.NODE_ENV === "development") return;
  const issues: string[] = [];
  const secret = source.BETTER_AUTH_SECRET;
  if (!secret || secret === DEV_SECRET)
    issues.push(
      "BETTER_AUTH_SECRET: set a secret of your own (the development default is public); or set NODE_ENV=development to run locally",
    );
  if (!source.DATABASE_URL)
    issues.push(
      "DATABASE_URL: required; the embedded database is for development only (set NODE_ENV=development or use `pnpm dev`)",
    );
  if (issues.length > 0) throw new EnvError(issues);
}

/** Which payment providers have their keys set (the rest fall back to `local`). */
export const paymentProvidersEnabled = (env: Env) => ({
  stripe: Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET),
  paystack: Boolean(env.PAYSTACK_SECRET_KEY),
  paymob: Boolean(env.PAYMOB_API_KEY && env.PAYMOB_INTEGRATION_ID && env.PAYMOB_IFRAME_ID && env.PAYMOB_HMAC_SECRET),
});

export const googleSignInEnabled = (env: Env) => Boolean(env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET);
