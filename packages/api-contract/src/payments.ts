import { z } from "zod";

/** The header that makes a mutation idempotent; the apps send a fresh one per user action. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** What a key may look like (a UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;
/**
 * The mutations that honour Idempotency-Key (the server's `.use(idempotent)`; a test keeps the two in step):
 * the apps' links retry these after a lost response, knowing a retry replays rather than repeats.
 */
export const IDEMPOTENT_PROCEDURES: readonly string[] = [
  "tutoring.sessions.book",
  "tutoring.sessions.reschedule",
  "tutoring.sessions.cancel",
  "admin.sessions.create",
  "admin.sessions.cancel",
  "admin.sessions.reverse",
  "admin.sessions.resolveDispute",
  "admin.credits.grant",
];

export const PROVIDER_EVENT_STATUSES = ["received", "processed", "failed"] as const;
export const ProviderEventStatus = z.enum(PROVIDER_EVENT_STATUSES);
export type ProviderEventStatus = z.infer<typeof ProviderEventStatus>;

export const ListProviderEventsInput = z.object({
  status: ProviderEventStatus.optional(),
  provider: z.string().trim().max(50).optional(),
  page: z.number().int().min(1).max(1000).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
});
export type ListProviderEventsInput = z.infer<typeof ListProviderEventsInput>;

export const ProviderEventIdInput = z.object({ id: z.uuid() });
export type ProviderEventIdInput = z.infer<typeof ProviderEventIdInput>;
