import type { ListProviderEventsInput } from "@lectern/api-contract";
import type { Db, DbOrTx, Tx } from "@lectern/db";
import { plainRow, runStatement, schema } from "@lectern/db";
import { and, count, desc, eq, ne, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { recordAudit } from "../audit/service.ts";

/**
 * The provider-event inbox (DESIGN.md §3): every webhook event is recorded once by its provider's
 * event id, then applied by `applyEvent`, which runs the handler for its type and marks the event
 * processed in the same transaction. Delivered ten times, it counts once.
 */

const E = schema.providerEvents;
export type ProviderEvent = typeof E.$inferSelect;

/** Applies one event's effect inside the inbox's transaction; throw to leave the event for a retry. */
export type EventHandler = (tx: Tx, event: ProviderEvent) => Promise<void>;
/** Handlers of one provider, by event type. */
export type EventHandlers = Partial<Record<string, EventHandler>>;

/** Handlers by provider: each payment/video provider registers its event types here (admin replay uses them). */
export const providerEventHandlers: Partial<Record<string, EventHandlers>> = {};

/** Adds event handlers of one provider (checkout and payouts each add theirs); a type registered twice is a bug. */
export function registerEventHandlers(provider: string, handlers: EventHandlers): void {
  const existing = providerEventHandlers[provider] ?? {};
  providerEventHandlers[provider] = existing;
  for (const [type, handler] of Object.entries(handlers)) {
    if (existing[type]) throw new Error(`${provider} event type "${type}" has two handlers`);
    existing[type] = handler;
  }
}

const LAST_ERROR_MAX = 2000;

/** Records an event as received; a redelivery of the same provider event id changes nothing. */
export async function recordEvent(
  db: DbOrTx,
  provider: string,
  event: { id: string; type: string; payload: unknown },
): Promise<{ id: string; duplicate: boolean }> {
  const payload = event.payload === undefined || event.payload === null ? null : JSON.stringify(event.payload);
  const values = [provider, event.id, event.type, payload];
  const { rows: inserted } = await runStatement<{ id: string }>(db, RECORD_EVENT, values);
  if (inserted[0]) return { id: inserted[0].id, duplicate: false };
  const { rows: existing } = await runStatement<{ id: string }>(db, EVENT_ID, [provider, event.id]);
  if (!existing[0]) throw new Error(`provider event ${provider}/${event.id} vanished after a conflicting insert`);
  return { id: existing[0].id, duplicate: true };
}

// Every webhook delivery runs these: named statements, built once.
const EVENT_ROW = plainRow(E);
const RECORD_EVENT = {
  name: "provider_event_record",
  text: `insert into provider_events (provider, event_id, type, payload) values ($1, $2, $3, $4::jsonb)
    on conflict (provider, event_id) do nothing returning id`,
};
const EVENT_ID = {
  name: "provider_event_id",
  text: "select id from provider_events where provider = $1 and event_id = $2",
};
const LOCK_EVENT = {
  name: "provider_event_lock",
  text: `select ${EVENT_ROW.columns} from provider_events where provider = $1 and event_id = $2
    for update skip locked`,
};
const MARK_PROCESSED = {
  name: "provider_event_processed",
  text: `update provider_events set status = 'processed', processed_at = now(), attempts = attempts + 1,
    last_error = null where id = $1`,
};

export type ApplyOutcome = { status: "processed" | "already_processed" } | { status: "failed"; error: string };

/**
 * Applies a recorded event once: locks its row (another process applying it → PROVIDER_EVENT_BUSY),
 * runs the handler for its type and marks it processed in that same transaction. If the handler
 * throws, everything it did rolls back and a separate update records the attempt and the error
 * (status failed), so the event waits for a retry; it is never marked processed before its effect.
 */
export async function applyEvent(
  db: Db,
  provider: string,
  eventId: string,
  handlers: EventHandlers,
): Promise<ApplyOutcome> {
  const where = and(eq(E.provider, provider), eq(E.eventId, eventId));
  let handlerRan = false;
  try {
    return await db.transaction(async (tx) => {
      const row = await EVENT_ROW.first(tx, LOCK_EVENT, [provider, eventId]);
      if (!row) {
        const [exists] = await tx.select({ id: E.id }).from(E).where(where);
        if (exists) throw new AppError("PROVIDER_EVENT_BUSY", "This event is being applied right now");
        throw new AppError("PROVIDER_EVENT_NOT_FOUND", "No such provider event");
      }
      if (row.status === "processed") return { status: "already_processed" as const };
      const handler = handlers[row.type];
      if (!handler)
        throw new AppError("PROVIDER_EVENT_NO_HANDLER", `No handler for ${provider} events of type "${row.type}"`);
      handlerRan = true;
      await handler(tx, row);
      await runStatement(tx, MARK_PROCESSED, [row.id]);
      return { status: "processed" as const };
    });
  } catch (error) {
    if (!handlerRan) throw error;
    const message = (error instanceof Error ? error.message : String(error)).slice(0, LAST_ERROR_MAX);
    await db
      .update(E)
      .set({ status: "failed", attempts: sql`${E.attempts} + 1`, lastError: message })
      .where(and(where, ne(E.status, "processed")));
    return { status: "failed", error: message };
  }
}

/** The inbox for the console, newest first; payloads stay out of the list. */
export async function listProviderEvents(db: DbOrTx, input: ListProviderEventsInput) {
  const where = and(
    input.status ? eq(E.status, input.status) : undefined,
    input.provider ? eq(E.provider, input.provider) : undefined,
  );
  const columns = {
    id: E.id,
    provider: E.provider,
    eventId: E.eventId,
    type: E.type,
    status: E.status,
    attempts: E.attempts,
    lastError: E.lastError,
    receivedAt: E.receivedAt,
    processedAt: E.processedAt,
  };
  const [items, [total]] = await Promise.all([
    db
      .select(columns)
      .from(E)
      .where(where)
      .orderBy(desc(E.receivedAt), desc(E.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ value: count() }).from(E).where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}

/** An admin applies a received or failed event again with the registered handlers; audited. */
export async function replayProviderEvent(
  db: Db,
  actor: { id: string; ip: string | null },
  id: string,
  registry: Partial<Record<string, EventHandlers>> = providerEventHandlers,
) {
  const [before] = await db.select().from(E).where(eq(E.id, id));
  if (!before) throw new AppError("PROVIDER_EVENT_NOT_FOUND", "No such provider event");
  const outcome = await applyEvent(db, before.provider, before.eventId, registry[before.provider] ?? {});
  const [after] = await db.select().from(E).where(eq(E.id, id));
  await recordAudit(db, {
    actorId: actor.id,
    action: "provider_event.replay",
    targetType: "provider_event",
    targetId: id,
    before: { status: before.status, attempts: before.attempts },
    after: { status: after?.status, attempts: after?.attempts, outcome: outcome.status },
    ipAddress: actor.ip,
  });
  return { outcome: outcome.status, error: "error" in outcome ? outcome.error : null };
}
