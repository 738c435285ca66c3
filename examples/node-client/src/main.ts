import type { AppRouter, RouterOutputs } from "@lectern/client";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";

// The one Node global this script reads, declared here so the project needs no @types/node.
declare const process: { env: { LECTERN_API_URL?: string; LECTERN_EMAIL?: string; LECTERN_PASSWORD?: string } };

const apiUrl = process.env.LECTERN_API_URL ?? "http://localhost:3000";
const email = process.env.LECTERN_EMAIL ?? "learner1@lectern.local";
const password = process.env.LECTERN_PASSWORD ?? "lectern-demo";

/**
 * Signs in with email and password and returns a typed client that sends the session cookie. A
 * server-side client sends the API's own origin as Origin: the API refuses cookie-carrying
 * mutations from origins it does not trust.
 */
async function signIn(apiUrl: string, email: string, password: string) {
  const origin = new URL(apiUrl).origin;
  const response = await fetch(`${apiUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) throw new Error(`Sign-in failed: ${response.status} ${await response.text()}`);
  // Keep each cookie's name=value; the attributes are for browsers.
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${apiUrl}/api/trpc`,
        transformer: superjson,
        headers: () => ({ cookie, origin }),
      }),
    ],
  });
}

const trpc = await signIn(apiUrl, email, password);

const me = await trpc.account.me.query();
if (!me) throw new Error("Signed in, but the API does not know who we are");
console.log(`signed in as ${me.name} <${me.email}> (${me.role})`);

const teachers = await trpc.tutoring.teachers.list.query({ pageSize: 10 });
console.log(`teachers: ${teachers.total}`);

// A teacher with free time, and the first slot that suits us too (the slots leave out times when
// we already have a session).
type Teacher = RouterOutputs["tutoring"]["teachers"]["list"]["items"][number];
const teacher = teachers.items.find((t: Teacher) => t.nextFreeSlot !== null);
if (!teacher?.nextFreeSlot) throw new Error("No teacher has a free slot");
const from = teacher.nextFreeSlot;
const { slots } = await trpc.tutoring.teachers.slots.query({
  teacherId: teacher.id,
  from,
  to: new Date(from.getTime() + 7 * 24 * 60 * 60 * 1000),
  durationMinutes: 60,
});
const [startsAt] = slots;
if (!startsAt) throw new Error(`${teacher.name} has no slot that suits us this week`);
const session = await trpc.tutoring.sessions.book.mutate({ teacherId: teacher.id, startsAt, durationMinutes: 60 });
console.log(`booked ${session.id} with ${teacher.name} at ${session.startsAt.toISOString()} (${session.status})`);
