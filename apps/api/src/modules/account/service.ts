import type { Locale, RevokeTokenInput, Role, UpdateProfileInput } from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";

export interface Viewer {
  id: string;
}

type UserRow = typeof schema.users.$inferSelect;
type ProfileSource = Pick<UserRow, "id" | "name" | "email" | "emailVerified" | "createdAt"> & {
  role?: string | null;
  image?: string | null;
  timezone?: string | null;
  locale?: string | null;
};

/** What a user may see of their own account. */
export function toProfile(user: ProfileSource) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: normalizeRole(user.role),
    timezone: user.timezone ?? "UTC",
    locale: (user.locale === "ar" ? "ar" : "en") as Locale,
    emailVerified: user.emailVerified,
    image: user.image ?? null,
    createdAt: user.createdAt,
  };
}

export function normalizeRole(role: string | null | undefined): Role {
  return role === "admin" || role === "teacher" ? role : "learner";
}

export async function getProfile(db: Db, viewer: Viewer) {
  const user = await db.query.users.findFirst({ where: eq(schema.users.id, viewer.id) });
  if (!user) throw new AppError("USER_NOT_FOUND", "Your account no longer exists");
  return toProfile(user);
}

export async function updateProfile(db: Db, viewer: Viewer, input: UpdateProfileInput) {
  const [user] = await db
    .update(schema.users)
    .set({ name: input.name, timezone: input.timezone, locale: input.locale, updatedAt: new Date() })
    .where(eq(schema.users.id, viewer.id))
    .returning({ id: schema.users.id });
  if (!user) throw new AppError("USER_NOT_FOUND", "Your account no longer exists");
  return getProfile(db, viewer);
}

/** Who is behind an impersonated session, for the banner the web app shows. */
export async function impersonatorOf(db: Db, impersonatedBy: string | null | undefined) {
  if (!impersonatedBy) return null;
  const admin = await db.query.users.findFirst({
    where: eq(schema.users.id, impersonatedBy),
    columns: { id: true, name: true, email: true },
  });
  return admin ?? null;
}

const { authSessions } = schema;

/** The user's own live sign-ins (an admin's impersonation is not one of them). */
const ownLiveSessions = (userId: string) =>
  and(eq(authSessions.userId, userId), isNull(authSessions.impersonatedBy), gt(authSessions.expiresAt, sql`now()`));

/**
 * The user's signed-in sessions and devices: browsers (cookie) and apps or scripts (bearer token) alike,
 * since both are the same sessions underneath. Never the token itself.
 */
export async function listTokens(db: Db, viewer: Viewer, currentSessionId: string) {
  const rows = await db
    .select({
      id: authSessions.id,
      createdAt: authSessions.createdAt,
      lastUsedAt: authSessions.updatedAt,
      expiresAt: authSessions.expiresAt,
      userAgent: authSessions.userAgent,
      ipAddress: authSessions.ipAddress,
    })
    .from(authSessions)
    .where(ownLiveSessions(viewer.id))
    .orderBy(desc(authSessions.updatedAt), desc(authSessions.id));
  return rows.map((row) => ({ ...row, current: row.id === currentSessionId }));
}

/** Signs one of the user's own sessions out everywhere at once (every API process reads it per request). */
export async function revokeToken(db: Db, viewer: Viewer, input: RevokeTokenInput) {
  const [deleted] = await db
    .delete(authSessions)
    .where(and(eq(authSessions.id, input.id), ownLiveSessions(viewer.id)))
    .returning({ id: authSessions.id });
  // Another user's session, or one that is gone, looks the same: nothing to learn by guessing ids.
  if (!deleted) throw new AppError("NOT_FOUND", "No such session of yours");
  return { revoked: deleted.id };
}
