import type { AppRouter } from "@lectern/api/router";
import { TRPC_MAX_BATCH_SIZE } from "@lectern/api-contract";
import { QueryClient } from "@tanstack/react-query";
import { createTRPCReact, httpBatchLink, TRPCClientError } from "@trpc/react-query";
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

/** A client error (4xx) will not change by asking again; network and server errors may. */
const isClientError = (error: unknown) =>
  error instanceof TRPCClientError && typeof error.data?.httpStatus === "number" && error.data.httpStatus < 500;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: (failures, error) => !isClientError(error) && failures < 2, staleTime: 30_000 },
  },
});
