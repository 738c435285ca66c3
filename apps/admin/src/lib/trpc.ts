import type { AppRouter, RouterOutputs } from "@lectern/api/router";
import { TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { createTRPCReact, httpBatchLink, httpLink, retryLink, splitLink } from "@trpc/react-query";
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

/** Retries only what may heal by itself: network failures and server errors, never a 4xx. */
const isClientError = (error: unknown) => {
  const status: unknown = error instanceof TRPCClientError ? error.data?.httpStatus : undefined;
  return typeof status === "number" && status < 500;
};

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) => failures < 2 && !isClientError(error),
      refetchOnWindowFocus: false,
    },
  },
});

/** The signed-in account as `account.me` returns it. */
export type Me = NonNullable<RouterOutputs["account"]["me"]>;
