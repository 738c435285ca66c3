import type { SessionChanges } from "@lectern/db";
import type { SessionUserRow } from "./session-sql.ts";

/** Beyond this many sessions the oldest read is dropped first. */
const MAX_ENTRIES = 10_000;
/**
 * How long a change being written through this process keeps its user's sessions out of the cache
 * if its commit is never announced (rolled back): longer than any transaction may stay open.
 */
const CHANGING_MS = 60_000;

export interface SessionCache {
  /** The session and user behind a verified token: reused while fresh, otherwise `load`ed (and kept). */
  read(token: string, load: () => Promise<SessionUserRow | undefined>): Promise<SessionUserRow | undefined>;
}

/**
 * Sessions this process has read, by token, for `ttlMs`, so a request spends no round trip on who is
 * calling. What makes a copy wrong is announced by the database at commit (migration 0017: a session
 * extended, revoked or signed out; a user renamed, disabled, given another role or deleted), and
 * drops every copy of that user's sessions. A change written through this process is known before
 * it commits (the trigger's notice): from then until its commit is announced, that user's sessions are
 * read from the database and not kept. Nothing is kept while the announcements cannot be heard, nor
 * from a read that an announcement overtook (it may have read the state before the change).
 */
export function createSessionCache(changes: SessionChanges, ttlMs: number): SessionCache {
  if (ttlMs <= 0) return { read: (_token, load) => load() };
  const entries = new Map<string, { row: SessionUserRow; until: number }>();
  const tokensOf = new Map<string, Set<string>>();
  /** Counts the announcements heard: a read that saw it move may hold the state from before one. */
  let heard = 0;

  const forget = (token: string, userId: string) => {
    entries.delete(token);
    const tokens = tokensOf.get(userId);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensOf.delete(userId);
  };
  /** Users with a change under way in this process, until when. */
  const changing = new Map<string, number>();
  const isChanging = (userId: string) => {
    const until = changing.get(userId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    changing.delete(userId);
    return false;
  };
  const forgetUser = (userId: string) => {
    heard += 1;
    for (const token of tokensOf.get(userId) ?? []) entries.delete(token);
    tokensOf.delete(userId);
  };
  changes.subscribe({
    changing(userId) {
      forgetUser(userId);
      changing.set(userId, Date.now() + CHANGING_MS);
    },
    changed(userId) {
      forgetUser(userId);
      changing.delete(userId);
    },
    reset() {
      heard += 1;
      entries.clear();
      tokensOf.clear();
    },
  });

  return {
    async read(token, load) {
      const kept = entries.get(token);
      if (kept && kept.until > Date.now()) return kept.row;
      if (kept) forget(token, kept.row.user_id);
      const before = heard;
      const row = await load();
      if (row && changes.listening && heard === before && !isChanging(row.user_id)) {
        if (entries.size >= MAX_ENTRIES) {
          const [oldest, entry] = entries.entries().next().value ?? [];
          if (oldest && entry) forget(oldest, entry.row.user_id);
        }
        entries.set(token, { row, until: Date.now() + ttlMs });
        const tokens = tokensOf.get(row.user_id) ?? new Set<string>();
        tokensOf.set(row.user_id, tokens.add(token));
      }
      return row;
    },
  };
}
