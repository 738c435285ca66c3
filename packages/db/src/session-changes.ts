import pg from "pg";

/** Where migration 0017's triggers announce, at commit, the user whose session or user row changed. */
export const SESSION_CHANGES_CHANNEL = "lectern_session_changes";
/** And the notice they raise at once to the connection making the change: this prefix, then the user id. */
const CHANGING_NOTICE = "lectern_session_change:";

export interface SessionChangeHandlers {
  /** This process is writing a change to this user or their session, not committed yet. */
  changing(userId: string): void;
  /** A session of this user, or the user row, changed (committed, in any process). */
  changed(userId: string): void;
  /** Announcements may have been missed (the listening connection dropped, or came back). */
  reset(): void;
}

export interface SessionChanges {
  /** Whether announcements are heard now: from the first LISTEN, and not while the connection is down. */
  readonly listening: boolean;
  /** Starts listening, if not yet; returns the way to stop these handlers. */
  subscribe(handlers: SessionChangeHandlers): () => void;
  close(): Promise<void>;
}

/** The listening connection's application_name (pg_stat_activity shows it). */
export const SESSION_CHANGES_LISTENER = "lectern-session-changes";

const RETRY_MS = { first: 500, max: 30_000 };

/**
 * Changed sessions and users, heard two ways:
 * - a connection of the pool writing one gets the trigger's notice at once (`watch`), before its
 *   statement returns, and before any request after it can read the session again;
 * - a connection of its own, kept open, LISTENs for the commits of every process (only one per
 *   process: Postgres wakes every listener of the database on each NOTIFY, the job queue's included).
 *   It reconnects after a failure; while it is down `listening` is false.
 */
export function sessionChanges(config: pg.ClientConfig): SessionChanges & {
  /** The pool's onConnect: hands the connection's notices of changes on. */
  watch(client: pg.ClientBase): void;
} {
  const subscribers: SessionChangeHandlers[] = [];
  const onNotification = (message: pg.Notification) => {
    if (message.channel !== SESSION_CHANGES_CHANNEL || !message.payload) return;
    for (const s of subscribers) s.changed(message.payload);
  };
  const onNotice = (notice: { message?: string }) => {
    if (!notice.message?.startsWith(CHANGING_NOTICE)) return;
    const userId = notice.message.slice(CHANGING_NOTICE.length);
    for (const s of subscribers) s.changing(userId);
  };
  const reset = () => {
    for (const s of subscribers) s.reset();
  };

  let listener: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let retryMs = RETRY_MS.first;
  let retry: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client) => {
    if (listener !== client) return;
    listener = null;
    listening = false;
    reset();
    client.end().catch(() => {});
    if (closed) return;
    retry = setTimeout(start, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MS.max);
  };
  const start = () => {
    if (closed || listener) return;
    const client = new pg.Client({ ...config, application_name: SESSION_CHANGES_LISTENER });
    listener = client;
    client.on("notification", onNotification);
    client.on("error", () => lost(client));
    client.on("end", () => lost(client));
    client
      .connect()
      .then(() => client.query(`listen ${SESSION_CHANGES_CHANNEL}`))
      .then(() => {
        if (listener !== client) return;
        listening = true;
        retryMs = RETRY_MS.first;
        reset();
      })
      .catch(() => lost(client));
  };

  return {
    watch(client) {
      client.on("notice", onNotice);
    },
    get listening() {
      return listening;
    },
    subscribe(handlers) {
      subscribers.push(handlers);
      start();
      return () => {
        const i = subscribers.indexOf(handlers);
        if (i >= 0) subscribers.splice(i, 1);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = listener;
      listener = null;
      listening = false;
      await client?.end().catch(() => {});
    },
  };
}
