import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth.ts";
import { tutoringSessions } from "./tutoring.ts";

/** queued → sent (SMTP accepted it) | logged (no SMTP configured: kept here) | failed (gave up). */
export const emailStatus = pgEnum("email_status", ["queued", "sent", "logged", "failed"]);

/** Every email Lectern sends, written in the transaction that causes it, delivered by a job. */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    toAddress: text("to_address").notNull(),
    template: text("template").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    /** true: the bodies have the secret link replaced by a placeholder (SMTP delivers the real one). */
    redacted: boolean("redacted").notNull().default(false),
    /** The calendar attachment (text/calendar) sent with the email, if any. */
    ics: text("ics"),
    status: emailStatus("status").notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("email_outbox_created_at_idx").on(t.createdAt.desc()),
    index("email_outbox_to_idx").on(t.toAddress, t.createdAt.desc()),
  ],
);

/** One row per reminder sent: written with its emails, so a re-run of the job sends nothing twice. */
export const sessionRemindersSent = pgTable(
  "session_reminders_sent",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => tutoringSessions.id, { onDelete: "cascade" }),
    offsetMinutes: integer("offset_minutes").notNull(),
    /** the start the reminder was for: a moved session gets its reminders again */
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "session_reminders_sent_pk", columns: [t.sessionId, t.offsetMinutes, t.startsAt] })],
);

/**
 * One row per session change whose emails were written (by the `tutoring.notifySessionChange`
 * job, with its emails), so a retried job writes them once.
 */
export const sessionChangeEmailsSent = pgTable(
  "session_change_emails_sent",
  {
    sessionId: uuid("session_id")
      .notNull()
      .references(() => tutoringSessions.id, { onDelete: "cascade" }),
    /** booked | rescheduled | cancelled */
    change: text("change").notNull(),
    /** when the change was made (also the invitation's SEQUENCE) */
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "session_change_emails_sent_pk", columns: [t.sessionId, t.change, t.changedAt] })],
);
