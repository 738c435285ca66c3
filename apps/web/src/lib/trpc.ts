import type { AppRouter } from "@lectern/api/router";
import { TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCReact, httpBatchLink, httpLink, retryLink, splitLink, TRPCClientError } from "@trpc/react-query";
import superjson from "superjson";
import { idempotencyHeaders, retryDelayMs, retryMutation } from "./idempotency";

export const trpc = createTRPCReact<AppRouter>();

const withCookies: typeof fetch = (url, options) => fetch(url, { ...options, credentials: "include" });

export const trpcClient = trpc.createClient({
  links: [
    retryLink({ retry: retryMutation, retryDelayMs }),
    // Mutations go one per request: each carries its own Idempotency-Key header.
    splitLink({
      condition: (op) => op.type === "mutation",
      true: httpLink({ url: "/api/trpc", transformer: superjson, headers: idempotencyHeaders, fetch: withCookies }),
      false: httpBatchLink({
        url: "/api/trpc",
        transformer: superjson,
        // The API refuses larger batches (BATCH_TOO_LARGE); the link splits them instead.
        maxItems: TRPC_MAX_BATCH_SIZE,
        fetch: withCookies,
      }),
    }),
  ],
});

/** A client error (4xx) will not change by asking again; network and server errors may. */
const isClientError = (error: unknown) =>
  error instanceof TRPCClientError && typeof error.data?.httpStatus === "number" && error.data.httpStatus < 500;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (failures, error) => !isClientError(error) && failures < 2, staleTime: 30_000 },
  },
});
