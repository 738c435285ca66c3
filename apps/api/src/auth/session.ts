import { createHmac, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { bearerToken } from "../http/origin-check.ts";
import type { Auth } from "./index.ts";
import type { SessionCache } from "./session-cache.ts";
import { SESSION_USER_SQL, SESSION_USER_STATEMENT, type SessionUserRow } from "./session-sql.ts";

/** How the request proved who it is: the browser's session cookie, or `Authorization: Bearer`. */
export type Credential = "cookie" | "bearer";
/** What a request knows of its session: what procedures read (better-auth's own objects carry more). */
export interface RequestSession {
  id: string;
  userId: string;
  expiresAt: Date;
  impersonatedBy?: string | null;
}
export interface RequestUser {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  image?: string | null;
  role?: string | null;
  banned?: boolean | null;
  banExpires?: Date | null;
  timezone?: string | null;
  locale?: string | null;
  createdAt: Date;
}
export type ResolvedSession = { session: RequestSession; user: RequestUser; credential: Credential };

/**
 * The session and user behind better-auth's session cookie, read on every tRPC request without
 * better-auth's endpoint machinery: the signed cookie is verified with node:crypto and the session and
 * its user come from one prepared statement, or from the process's short-lived copy of it
 * (session-cache.ts), which every change to the session or its user, in any process, drops at commit.
 *
 * better-auth itself still answers when it has work to do: a session due for its sliding refresh goes
 * through `auth.api.getSession`, which extends it and sets the renewed cookie on the response.
 *
 * Native apps and scripts send the same signed value as `Authorization: Bearer <token>` (better-auth's
 * bearer plugin hands it out in `set-auth-token`): the signature is checked the same way, so the raw
 * token read from the database opens nothing. A bearer header, when sent, is the credential: an invalid
 * one authenticates nobody rather than falling back to a cookie.
 */
export function createSessionResolver(auth: Auth, pool: pg.Pool, cache: SessionCache) {
  let settings: Promise<Settings> | undefined;
  const load = async (token: string) =>
    (
      await pool.query<SessionUserRow>({
        name: SESSION_USER_STATEMENT,
        text: SESSION_USER_SQL,
        values: [token],
      })
    ).rows[0];
  return async function resolveSession(headers: Headers, resHeaders: Headers): Promise<ResolvedSession | null> {
    settings ??= loadSettings(auth);
    const s = await settings;
    const cookies = parseCookies(headers.get("cookie"));
    const bearer = bearerToken(headers);
    const credential: Credential = bearer === null ? "cookie" : "bearer";
    const signed = bearer === null ? cookies.get(s.cookieName) : decoded(bearer);
    const token = verifiedValue(signed, s.secret);
    if (!signed || !token) return null;

    const row = await cache.read(token, () => load(token));
    if (!row || row.expires_at.getTime() <= Date.now()) return null;
    // An impersonation has a fixed lifetime; a "don't remember me" session is never extended.
    const dueForRefresh =
      !row.impersonated_by &&
      !verifiedValue(cookies.get(s.dontRememberCookieName), s.secret) &&
      row.expires_at.getTime() - s.expiresInMs + s.updateAgeMs <= Date.now();
    if (dueForRefresh) {
      if (credential === "cookie") return refreshThroughBetterAuth(auth, headers, resHeaders, credential);
      // The token stays the same when extended: a bearer client gets no cookie back.
      const asCookie = new Headers({ cookie: `${s.cookieName}=${encodeURIComponent(signed)}` });
      return refreshThroughBetterAuth(auth, asCookie, new Headers(), credential);
    }
    if (isBanned(row.u_banned, row.u_ban_expires)) return null;
    return { ...toSession(row), credential };
  };
}

interface Settings {
  cookieName: string;
  dontRememberCookieName: string;
  secret: string;
  expiresInMs: number;
  updateAgeMs: number;
}

async function loadSettings(auth: Auth): Promise<Settings> {
  const context = await auth.$context;
  return {
    // Carries the __Secure- prefix when the API is served over https.
    cookieName: context.authCookies.sessionToken.name,
    dontRememberCookieName: context.authCookies.dontRememberToken.name,
    secret: context.secret,
    expiresInMs: context.sessionConfig.expiresIn * 1000,
    updateAgeMs: context.sessionConfig.updateAge * 1000,
  };
}

/** better-auth's sliding refresh for this request, its Set-Cookie passed on to the response. */
async function refreshThroughBetterAuth(auth: Auth, headers: Headers, resHeaders: Headers, credential: Credential) {
  const { headers: set, response } = await auth.api.getSession({ headers, returnHeaders: true });
  for (const cookie of set.getSetCookie()) resHeaders.append("set-cookie", cookie);
  if (!response || isBanned(response.user.banned, response.user.banExpires)) return null;
  return { session: response.session, user: response.user, credential };
}

/** set-auth-token's value as sent, or URI-encoded (as better-auth's bearer plugin also accepts it). */
function decoded(token: string) {
  if (!token.includes("%")) return token;
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** Like better-call's parser: the first cookie of a name wins, quotes stripped, value URI-decoded. */
function parseCookies(header: string | null) {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // better-call keeps an undecodable value as it is; its signature will not match.
    }
    cookies.set(name, value);
  }
  return cookies;
}

/** `${value}.${base64(HMAC-SHA256(secret, value))}` → value, when the signature is right (constant time). */
function verifiedValue(signed: string | undefined, secret: string): string | null {
  if (!signed) return null;
  const dot = signed.lastIndexOf(".");
  if (dot < 1) return null;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  const expected = Buffer.from(createHmac("sha256", secret).update(value).digest("base64"));
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : null;
}

/** A disabled account is signed out (better-auth's admin plugin lifts a ban whose end has passed). */
const isBanned = (banned: boolean | null | undefined, until: Date | null | undefined) =>
  Boolean(banned) && (!until || until.getTime() > Date.now());

/** The request's session and user from the statement's row. */
function toSession(row: SessionUserRow): Omit<ResolvedSession, "credential"> {
  return {
    session: { id: row.id, userId: row.user_id, expiresAt: row.expires_at, impersonatedBy: row.impersonated_by },
    user: {
      id: row.user_id,
      name: row.u_name,
      email: row.u_email,
      emailVerified: row.u_email_verified,
      image: row.u_image,
      role: row.u_role,
      banned: row.u_banned,
      banExpires: row.u_ban_expires,
      timezone: row.u_timezone,
      locale: row.u_locale,
      createdAt: row.u_created_at,
    },
  };
}
