// Deliberately wrong: the API takes startsAt as a Date (superjson carries it), not a string.
// tsconfig.type-error.json checks this file, and the tests expect that check to fail.
import type { AppRouter } from "@lectern/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";

const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "http://localhost:3000/api/trpc", transformer: superjson })],
});
await trpc.tutoring.sessions.book.mutate({ teacherId: "t", startsAt: "2030-01-01T10:00:00Z", durationMinutes: 60 });
