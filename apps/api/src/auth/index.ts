import { Email, IMAGE_URL_MAX, ImageUrl, Locale, NAME_MAX, Name, TimeZone } from "@lectern/api-contract";
import { type Env, googleSignInEnabled, trustedOrigins } from "@lectern/config";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { admin, bearer } from "better-auth/plugins";
import type { z } from "zod";
import type { Logger } from "../logger.ts";
import { enqueueEmail } from "../modules/notifications/service.ts";
import { ac, roles } from "./access.ts";

/** Header our own middleware sets from the socket (or a trusted proxy); clients cannot forge it. */
export const CLIENT_IP_HEADER = "x-lectern-client-ip";

export const DISABLED_MESSAGE = "This account has been disabled. Contact support if you think this is a mistake.";

export function createAuth({ db, env, logger }: { db: Db; env: Env; logger: Logger }) {
  const webUrl = env.WEB_URL.replace(/\/$/, "");
  // With SMTP set, secret links are emailed only: the outbox keeps a redacted copy.
  const secretEmail = { smtp: Boolean(env.SMTP_URL) };
  return betterAuth({
    appName: "Lectern",
    baseURL: env.API_URL,
    basePath: "/api/auth",
    secret: env.BETTER_AUTH_SECRET,
    // better-auth's own messages go through pino like everything else.
    logger: {
      disabled: env.LOG_LEVEL === "silent",
      log: (level, message, ...args) => logger.child({ component: "better-auth" })[level]({ args }, message),
    },
    telemetry: { enabled: false },
    trustedOrigins: trustedOrigins(env),
    database: drizzleAdapter(db, { provider: "pg", schema: schema.authSchema }),
    user: {
      additionalFields: {
        timezone: { type: "string", required: false, defaultValue: "UTC", input: true },
        locale: { type: "string", required: false, defaultValue: "en", input: true },
      },
      changeEmail: { enabled: false },
    },
    // Reset tokens (and other verification values) are kept as hashes: a database read gives no way in.
    verification: { storeIdentifier: "hashed" },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 60 * 60,
      onPasswordReset: async ({ user }) => {
        await enqueueEmail(db, recipientOf(user), { template: "password-changed", name: user.name });
      },
      // The emailed link opens the web app, which calls the API with the token.
      sendResetPassword: async ({ user, token }) => {
        await enqueueEmail(
          db,
          recipientOf(user),
          {
            template: "reset-password",
            name: user.name,
            url: `${webUrl}/reset-password?token=${encodeURIComponent(token)}`,
          },
          secretEmail,
        );
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: true,
      autoSignInAfterVerification: true,
      expiresIn: 24 * 60 * 60,
      sendVerificationEmail: async ({ user, token }) => {
        await enqueueEmail(
          db,
          recipientOf(user),
          {
            template: "verify-email",
            name: user.name,
            url: `${webUrl}/verify-email?token=${encodeURIComponent(token)}`,
          },
          secretEmail,
        );
      },
    },
    socialProviders: googleSignInEnabled(env)
      ? {
          google: {
            clientId: env.GOOGLE_CLIENT_ID as string,
            clientSecret: env.GOOGLE_CLIENT_SECRET as string,
          },
        }
      : {},
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": {
          window: env.SIGN_IN_RATE_LIMIT_WINDOW_SECONDS,
          max: env.SIGN_IN_RATE_LIMIT_MAX,
        },
      },
    },
    advanced: {
      // better-auth turns its origin (CSRF) check off when NODE_ENV=test; keep it on everywhere.
      disableOriginCheck: false,
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // joins: read a session and its user in one query (relations in @lectern/db's schema)
      database: { generateId: () => crypto.randomUUID(), joins: true },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        // Another session may be a thief's: a new password signs them all out, whatever the client asked.
        if (ctx.path === "/change-password") return { context: { body: { ...ctx.body, revokeOtherSessions: true } } };
        // better-auth's own profile endpoints obey the contract's limits, like account.updateProfile.
        if (ctx.path === "/sign-up/email" || ctx.path === "/update-user") {
          const body = { ...ctx.body };
          if (body.name !== undefined)
            body.name = parseOrRefuse("name", Name, body.name, `A name is 1 to ${NAME_MAX} characters`);
          if (body.image !== undefined && body.image !== null)
            body.image = parseOrRefuse(
              "image",
              ImageUrl,
              body.image,
              `An image is an https URL of at most ${IMAGE_URL_MAX} characters`,
            );
          if (ctx.path === "/sign-up/email") parseOrRefuse("email", Email, body.email, "Enter a valid email address");
          return { context: { body } };
        }
      }),
      // A changed password is worth telling the owner about, in case it was not them.
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/change-password" || isAPIError(ctx.context.returned)) return;
        const user = ctx.context.newSession?.user ?? ctx.context.session?.user;
        if (user) await enqueueEmail(db, recipientOf(user), { template: "password-changed", name: user.name });
      }),
    },
    databaseHooks: {
      user: {
        create: {
          // Sign-up may carry the browser's time zone and language; keep only valid ones.
          before: async (user) => ({
            data: {
              ...user,
              timezone: TimeZone.safeParse(user.timezone).success ? user.timezone : "UTC",
              locale: user.locale === "ar" ? "ar" : "en",
              role: "learner",
            },
          }),
        },
        update: {
          // /update-user accepts these fields too: hold them to the same rules as updateProfile.
          before: async (user) => {
            if (user.timezone !== undefined && !TimeZone.safeParse(user.timezone).success)
              throw new APIError("BAD_REQUEST", { message: "Unknown time zone", code: "VALIDATION_FAILED" });
            if (user.locale !== undefined && !Locale.safeParse(user.locale).success)
              throw new APIError("BAD_REQUEST", { message: "Unknown locale", code: "VALIDATION_FAILED" });
          },
        },
      },
    },
    plugins: [
      admin({
        ac,
        roles,
        defaultRole: "learner",
        adminRoles: ["admin"],
        bannedUserMessage: DISABLED_MESSAGE,
        allowImpersonatingAdmins: false,
        impersonationSessionDuration: 60 * 60,
      }),
      // Native apps and scripts: sign-in answers with `set-auth-token` (the signed session cookie's
      // value), sent back as `Authorization: Bearer`. Only the signed value counts: a token read
      // from the database alone is not enough. session.ts accepts it on tRPC the same way.
      bearer({ requireSignature: true }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** The value as the contract's schema reads it, or a 400 better-auth sends as is. */
/** Refuses a field that breaks the contract, with the same `issues` list tRPC's errors carry. */
function parseOrRefuse<T>(field: string, schema: z.ZodType<T>, value: unknown, message: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: [field, ...i.path], code: i.code, message: i.message }));
    throw new APIError("BAD_REQUEST", { message, code: "VALIDATION_FAILED", issues });
  }
  return parsed.data;
}

function recipientOf(user: { id: string; email: string } & Record<string, unknown>) {
  return { userId: user.id, email: user.email, locale: typeof user.locale === "string" ? user.locale : "en" };
}
