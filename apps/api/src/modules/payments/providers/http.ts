import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * What the real providers throw when the provider refuses or cannot be reached. `retryable` says
 * whether the outcome is unknown (network error, 5xx, 409, 429: try again later with the same
 * idempotency handle) or a definite refusal (other 4xx: trying again changes nothing).
 */
export class ProviderError extends Error {
  readonly provider: string;
  /** the HTTP status, or null when no response arrived */
  readonly status: number | null;
  readonly retryable: boolean;
  constructor(provider: string, status: number | null, message: string, options?: { cause?: unknown }) {
    super(`${provider}: ${message}`, options);
    this.name = "ProviderError";
    this.provider = provider;
    this.status = status;
    this.retryable = status === null || status === 409 || status === 429 || status >= 500;
  }
}

/** A provider call never hangs a request or a job for long. */
const TIMEOUT_MS = 20_000;

/**
 * One JSON request to Paystack or Paymob. Resolves with the parsed body of a 2xx answer; throws a
 * ProviderError (message from the provider's own `message`/`detail` when it gave one) otherwise.
 */
export async function requestJson<T>(
  provider: string,
  url: string,
  init: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: unknown } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: {
        accept: "application/json",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new ProviderError(provider, null, `unreachable (${(error as Error).message})`, { cause: error });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = providerMessage(body) ?? `HTTP ${response.status}`;
    throw new ProviderError(provider, response.status, message);
  }
  if (body === null) throw new ProviderError(provider, response.status, "answered without a JSON body");
  return body as T;
}

function providerMessage(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ["message", "detail"]) if (typeof b[key] === "string") return b[key];
  return undefined;
}

/** Lowercase hex HMAC-SHA512, the signature both Paystack and Paymob use. */
export const hmacSha512Hex = (secret: string, message: string) =>
  createHmac("sha512", secret).update(message, "utf8").digest("hex");

/** Constant-time comparison of two signatures; unequal lengths are a mismatch (timingSafeEqual would throw). */
export function signaturesMatch(received: string, expected: string): boolean {
  const a = Buffer.from(received, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A plain object's field, or undefined: provider payloads are untrusted JSON. */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export const asString = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : undefined;

/** An integer amount in minor units; a provider sending "10000" as a string still counts, anything else does not. */
export function asAmount(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/**
 * A reference for one checkout attempt at a provider that wants a fresh one per attempt (Paystack
 * reference, Paymob merchant order id): the order id, a dot and a random suffix; only
 * alphanumerics, `-` and `.`. The order id is read back from it.
 */
export const attemptReference = (orderId: string) => `${orderId}.${randomBytes(6).toString("hex")}`;

/** The order an attempt reference was made for; null for one Lectern did not make. */
export function orderIdFromAttempt(reference: unknown): string | null {
  if (typeof reference !== "string") return null;
  const orderId = reference.slice(0, reference.lastIndexOf("."));
  return isUuid(orderId) ? orderId : null;
}
