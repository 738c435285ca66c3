import type { Role, SearchUsersInput } from "@lectern/api-contract";
import type { Db, Tx } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, asc, count, desc, eq, gt, ilike, isNull, max, or, type SQL, sql } from "drizzle-orm";
import type { Auth } from "../../auth/index.ts";
import { AppError } from "../../errors.ts";
import { normalizeRole } from "../account/service.ts";
import { listAudit, recordAudit } from "../audit/service.ts";
import { revokeCalendarFeed } from "../tutoring/calendar.ts";
import { cancelTeacherUpcomingSessions } from "../tutoring/disputes.ts";

const { users, authSessions } = schema;

/** The admin performing an action and the request it came from. */
export interface AdminActor {
  id: string;
  ip: string | null;
}

/** What a service needs to act through better-auth on the caller's behalf. */
export interface AuthCall {
  auth: Auth;
  headers: Headers;
  /** Receives better-auth's Set-Cookie headers. */
  resHeaders: Headers;
}

const summary = {
  id: users.id,
  name: users.name,
  email: users.email,
  role: users.role,
  banned: users.banned,
  emailVerified: users.emailVerified,
  createdAt: users.createdAt,
};

const SORT_COLUMNS = { name: users.name, email: users.email, createdAt: users.createdAt, role: users.role };

export async function searchUsers(db: Db, input: SearchUsersInput) {
  const filters: (SQL | undefined)[] = [];
  if (input.query) {
    const pattern = containsPattern(input.query);
    filters.push(or(ilike(users.name, pattern), ilike(users.email, pattern)));
  }
  if (input.role) filters.push(eq(users.role, input.role));
  if (input.status) filters.push(eq(users.banned, input.status === "disabled"));
  const where = and(...filters);
  const direction = input.sortDir === "asc" ? asc : desc;
  const [items, [total]] = await Promise.all([
    db
      .select(summary)
      .from(users)
      .where(where)
      // id breaks ties so pages never overlap or skip rows
      .orderBy(direction(SORT_COLUMNS[input.sortBy]), asc(users.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(users).where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}

async function requireUser(db: Db, userId: string) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw new AppError("USER_NOT_FOUND", "No user with that id");
  return user;
}

export async function getUser(db: Db, userId: string) {
  const user = await requireUser(db, userId);
  // Sessions the user opened themselves and that are still valid; an admin's impersonation is not a sign-in.
  const ownLiveSessions = and(
    eq(authSessions.userId, userId),
    isNull(authSessions.impersonatedBy),
    gt(authSessions.expiresAt, sql`now()`),
  );
  const [[sessions], [lastSignIn], recentAudit] = await Promise.all([
    db.select({ active: count() }).from(authSessions).where(ownLiveSessions),
    db
      .select({ at: max(authSessions.createdAt) })
      .from(authSessions)
      .where(and(eq(authSessions.userId, userId), isNull(authSessions.impersonatedBy))),
    listAudit(db, { targetId: userId, page: 1, pageSize: 20 }),
  ]);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: normalizeRole(user.role),
    banned: user.banned,
    banReason: user.banReason,
    emailVerified: user.emailVerified,
    timezone: user.timezone,
    locale: user.locale,
    createdAt: user.createdAt,
    activeSessions: sessions?.active ?? 0,
    lastSignInAt: lastSignIn?.at ?? null,
    recentAudit: recentAudit.items,
  };
}

/** The user's row, locked until the transaction ends so concurrent admin actions serialize. */
async function lockUser(tx: Tx, userId: string) {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
  if (!user) throw new AppError("USER_NOT_FOUND", "No user with that id");
  return user;
}

export async function setRole(db: Db, actor: AdminActor, userId: string, role: Role) {
  if (userId === actor.id) throw new AppError("CANNOT_CHANGE_OWN_ROLE", "You cannot change your own role");
  await db.transaction(async (tx) => {
    const before = { role: (await lockUser(tx, userId)).role };
    if (before.role === role) return;
    await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.role.change",
      targetType: "user",
      targetId: userId,
      before,
      after: { role },
      ipAddress: actor.ip,
    });
  });
  return getUser(db, userId);
}

/**
 * Disables the account and signs it out everywhere, in one transaction with its audit row. A
 * teacher's sessions that have not ended are cancelled in it too (credits returned, people emailed).
 */
export async function disableUser(db: Db, actor: AdminActor, userId: string, reason: string, now = new Date()) {
  if (userId === actor.id) throw new AppError("CANNOT_DISABLE_SELF", "You cannot disable your own account");
  await db.transaction(async (tx) => {
    const { banned, banReason, role } = await lockUser(tx, userId);
    const before = { banned, banReason };
    const sessionsCancelled =
      role === "teacher" ? await cancelTeacherUpcomingSessions(tx, actor, userId, reason, now) : 0;
    await tx
      .update(users)
      .set({ banned: true, banReason: reason, banExpires: null, updatedAt: new Date() })
      .where(eq(users.id, userId));
    const revoked = await tx
      .delete(authSessions)
      .where(eq(authSessions.userId, userId))
      .returning({ id: authSessions.id });
    await revokeCalendarFeed(tx, userId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.disable",
      targetType: "user",
      targetId: userId,
      before,
      after: { banned: true, banReason: reason, sessionsRevoked: revoked.length, sessionsCancelled },
      ipAddress: actor.ip,
    });
  });
  return getUser(db, userId);
}

export async function enableUser(db: Db, actor: AdminActor, userId: string) {
  await db.transaction(async (tx) => {
    const { banned, banReason } = await lockUser(tx, userId);
    const before = { banned, banReason };
    if (!before.banned) return;
    await tx
      .update(users)
      .set({ banned: false, banReason: null, banExpires: null, updatedAt: new Date() })
      .where(eq(users.id, userId));
    await recordAudit(tx, {
      actorId: actor.id,
      action: "user.enable",
      targetType: "user",
      targetId: userId,
      before,
      after: { banned: false },
      ipAddress: actor.ip,
    });
  });
  return getUser(db, userId);
}

/**
 * Emails the user a reset link. Not for admins: an admin reading another admin's link (the outbox)
 * would take over that account, so an admin resets their own password from the sign-in page.
 */
/** How long a demoted admin stays protected like an admin, so "demote, then reset" is no way in. */
const FORMER_ADMIN_PROTECTION_DAYS = 30;

/** Admins, and users who were admins in the last FORMER_ADMIN_PROTECTION_DAYS. */
export async function protectedAdminIds(db: Db): Promise<Set<string>> {
  const rows = await db.execute<{ id: string }>(sql`
    select id from users where role = 'admin'
    union
    select target_id from audit_log
    where action = 'user.role.change' and before->>'role' = 'admin' and target_id is not null
      and created_at > now() - make_interval(days => ${FORMER_ADMIN_PROTECTION_DAYS})`);
  return new Set(rows.rows.map((r) => r.id));
}

export async function sendPasswordReset(db: Db, actor: AdminActor, call: AuthCall, userId: string) {
  const user = await requireUser(db, userId);
  if ((await protectedAdminIds(db)).has(user.id))
    throw new AppError("CANNOT_RESET_ADMIN", "An admin's password can only be reset by that admin");
  await call.auth.api.requestPasswordReset({ body: { email: user.email } });
  await recordAudit(db, {
    actorId: actor.id,
    action: "user.password_reset.send",
    targetType: "user",
    targetId: userId,
    ipAddress: actor.ip,
  });
  return { sent: true as const };
}

/** Opens a session as the user (cookies go to the caller); admins and disabled users cannot be. */
export async function impersonate(db: Db, actor: AdminActor, call: AuthCall, userId: string) {
  const user = await requireUser(db, userId);
  if (user.role === "admin") throw new AppError("CANNOT_IMPERSONATE_ADMIN", "Admins cannot be impersonated");
  if (user.banned) throw new AppError("CANNOT_IMPERSONATE_DISABLED", "Disabled accounts cannot be impersonated");
  const { headers } = await call.auth.api.impersonateUser({
    body: { userId },
    headers: call.headers,
    returnHeaders: true,
  });
  forwardCookies(headers, call.resHeaders);
  await recordAudit(db, {
    actorId: actor.id,
    action: "user.impersonate.start",
    targetType: "user",
    targetId: userId,
    ipAddress: actor.ip,
  });
  return { userId, name: user.name };
}

/** Ends an impersonated session and restores the admin's own (cookies go to the caller). */
export async function stopImpersonating(
  db: Db,
  impersonation: { adminId: string; userId: string; ip: string | null },
  call: AuthCall,
) {
  const { headers } = await call.auth.api.stopImpersonating({ headers: call.headers, returnHeaders: true });
  forwardCookies(headers, call.resHeaders);
  await recordAudit(db, {
    actorId: impersonation.adminId,
    action: "user.impersonate.stop",
    targetType: "user",
    targetId: impersonation.userId,
    ipAddress: impersonation.ip,
  });
  return { adminId: impersonation.adminId };
}

function forwardCookies(from: Headers, to: Headers) {
  for (const cookie of from.getSetCookie()) to.append("set-cookie", cookie);
}
