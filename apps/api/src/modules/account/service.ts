import type { UpdateProfileInput } from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { schema } from "@lectern/db";
import { eq } from "drizzle-orm";
import { AppError } from "../../errors.ts";

export interface Viewer {
  id: string;
}

export async function getProfile(db: Db, viewer: Viewer) {
  const user = await db.query.users.findFirst({
    where: eq(schema.users.id, viewer.id),
    columns: {
      id: true,
      name: true,
      email: true,
      role: true,
      timezone: true,
      locale: true,
      emailVerified: true,
      image: true,
      createdAt: true,
    },
  });
  if (!user) throw new AppError("USER_NOT_FOUND", "Your account no longer exists");
  return user;
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
