import type { Locale, Role, UpdateProfileInput } from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
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
