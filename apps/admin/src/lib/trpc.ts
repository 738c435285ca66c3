import type { AppRouter, RouterOutputs } from "@lectern/api/router";
import { TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { QueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { createTRPCReact, httpBatchLink } from "@trpc/react-query";
import superjson from "superjson";

export const trpc = createTRPCReact<AppRouter>();

export const trpcClient = trpc.createClient({
  links: [
    httpBatchLink({
      url: "/api/trpc",
      transformer: superjson,
      // The API refuses larger batches (BATCH_TOO_LARGE); the link splits them instead.
      maxItems: TRPC_MAX_BATCH_SIZE,
      fetch: (url, options) => fetch(url, { ...options, credentials: "include" }),
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
