import { z } from "zod";

// IDEMPOTENCY_KEY_HEADER and IDEMPOTENT_PROCEDURES: values.ts (no zod there, for the apps' first screens).

/** What a key may look like (a UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

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
