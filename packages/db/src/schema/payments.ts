import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth.ts";

/** in_progress: claimed by a running request; completed: its response is stored for replay. */
export const idempotencyStatus = pgEnum("idempotency_status", ["in_progress", "completed"]);

/** Idempotency-Key of money-moving mutations, scoped per user; kept until expires_at (≥ 24 h). */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** the tRPC procedure path the key was first used on */
    path: text("path").notNull(),
    /** sha256 of path + canonical input: the same key with another body is refused */
    requestHash: text("request_hash").notNull(),
    status: idempotencyStatus("status").notNull().default("in_progress"),
    /** the procedure's result, superjson-serialized */
    response: jsonb("response"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: "idempotency_keys_pk", columns: [t.userId, t.key] }),
    check("idempotency_keys_completed_has_response", sql`${t.status} = 'in_progress' OR ${t.response} IS NOT NULL`),
    index("idempotency_keys_expires_at_idx").on(t.expiresAt),
  ],
);

export const providerEventStatus = pgEnum("provider_event_status", ["received", "processed", "failed"]);

/** Inbox of provider events (webhooks), one row per provider event id, applied exactly once. */
export const providerEvents = pgTable(
  "provider_events",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    status: providerEventStatus("status").notNull().default("received"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    unique("provider_events_provider_event_id_unique").on(t.provider, t.eventId),
    check("provider_events_processed_at", sql`(${t.status} = 'processed') = (${t.processedAt} IS NOT NULL)`),
    index("provider_events_status_idx").on(t.status, t.receivedAt.desc()),
    index("provider_events_received_at_idx").on(t.receivedAt.desc()),
  ],
);
