import type {
  CreditBalanceOutput,
  CreditHistoryOutput,
  MeOutput,
  SessionOutput,
  SessionPageOutput,
  TeacherOutput,
  TeacherPageOutput,
  TeacherSlotsOutput,
} from "@lectern/api-contract";
import { schema } from "@lectern/db";
import { Validator } from "@seriousme/openapi-schema-validator";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { creditBalance, creditHistory } from "../modules/tutoring/credits.ts";
import type { getTeacher, listTeachers, teacherSlots } from "../modules/tutoring/directory.ts";
import type { listSessions, SessionView } from "../modules/tutoring/sessions.ts";
import { ALWAYS, grantCredits, person } from "../modules/tutoring/testing.ts";
import { type Agent, signedInAs } from "../testing/index.ts";
import { useTestApp } from "../testing/vitest.ts";

// The output schemas describe exactly what the services return: no field missing, none extra.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Returned<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
const outputsMatchServices: [
  Same<z.input<typeof SessionOutput>, SessionView>,
  Same<z.input<typeof SessionPageOutput>, Returned<typeof listSessions>>,
  Same<z.input<typeof TeacherOutput>, Returned<typeof getTeacher>>,
  Same<z.input<typeof TeacherPageOutput>, Returned<typeof listTeachers>>,
  Same<z.input<typeof TeacherSlotsOutput>, Returned<typeof teacherSlots>>,
  Same<z.input<typeof CreditBalanceOutput>, Returned<typeof creditBalance>>,
  Same<z.input<typeof CreditHistoryOutput>, Returned<typeof creditHistory>>,
  Same<Exclude<z.input<typeof MeOutput>, null>["impersonator"], { id: string; name: string; email: string } | null>,
] = [true, true, true, true, true, true, true, true];
void outputsMatchServices;

const t = await useTestApp();

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const FOREIGN = "https://evil.example";

type JsonSchema = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: { "application/json": { schema: JsonSchema } } }>;
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: JsonSchema } };

let doc: Doc;
/** The same document with every $ref inlined, to compile response schemas one by one. */
let resolved: Doc;

beforeAll(async () => {
  const response = await t.agent({ origin: null }).fetch("/api/openapi.json");
  expect(response.status).toBe(200);
  doc = (await response.json()) as Doc;
  const validator = new Validator();
  await validator.validate(structuredClone(doc));
  resolved = validator.resolveRefs() as unknown as Doc;
});

const operations = (d: Doc) =>
  Object.entries(d.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

/** The body must match the response schema the document gives for this operation and status. */
function expectDocumented(operationId: string, status: number, body: unknown) {
  const found = operations(resolved).find((o) => o.operation.operationId === operationId);
  const response = found?.operation.responses[String(status)];
  expect(response, `${operationId} documents ${status}`).toBeDefined();
  const jsonSchema = response?.content?.["application/json"].schema ?? {};
  const result = z.fromJSONSchema(jsonSchema).safeParse(body);
  expect(result.error?.issues ?? [], `${operationId} ${status} matches its documented schema`).toEqual([]);
}

async function call(agent: Agent, method: string, path: string, body?: unknown) {
  const response = await agent.fetch(`/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("lists what an outside app needs first", () => {
    expect(operations(doc).map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        "GET /me",
        "GET /teachers",
        "GET /teachers/{teacherId}",
        "POST /teachers/{teacherId}/slots",
        "POST /sessions",
        "GET /sessions/upcoming",
        "GET /sessions/past",
        "GET /sessions/cancelled",
        "GET /sessions/{sessionId}",
        "POST /sessions/{sessionId}/cancel",
        "GET /credits/balance",
        "GET /credits/history",
      ]),
    );
  });

  it("documents instants as date-time strings and every error with the one Error schema", () => {
    const session = resolved.paths["/sessions/{sessionId}"]?.get?.responses["200"]?.content?.["application/json"]
      .schema as { properties: Record<string, JsonSchema> };
    expect(session.properties.startsAt).toMatchObject({ type: "string", format: "date-time" });
    const booking = resolved.paths["/sessions"]?.post as unknown as {
      requestBody: { content: { "application/json": { schema: { properties: Record<string, JsonSchema> } } } };
    };
    expect(booking.requestBody.content["application/json"].schema.properties.startsAt).toMatchObject({
      type: "string",
      format: "date-time",
    });
    expect(doc.components.schemas.Error).toBeDefined();
    for (const { path, method, operation } of operations(doc)) {
      const errors = Object.entries(operation.responses).filter(([status]) => !status.startsWith("2"));
      expect(errors.length, `${method} ${path} documents its errors`).toBeGreaterThan(0);
      for (const [status, response] of errors)
        expect(response.content?.["application/json"].schema, `${method} ${path} ${status}`).toEqual({
          $ref: "#/components/schemas/Error",
        });
    }
  });

  it("documents the session cookie and bearer token, and marks signed-in operations", () => {
    const schemes = (doc.components as { securitySchemes?: Record<string, { type: string; in?: string }> })
      .securitySchemes;
    expect(schemes?.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie" });
    expect(schemes?.bearerToken).toMatchObject({ type: "http" });
    const book = doc.paths["/sessions"]?.post as Operation & { security?: unknown[] };
    expect(book.security).toEqual([{ sessionCookie: [] }, { bearerToken: [] }]);
    const parameters = (book as { parameters?: { name: string; in: string; required?: boolean }[] }).parameters;
    expect(parameters).toContainEqual(expect.objectContaining({ name: "idempotency-key", in: "header" }));
  });

  it("renders a reference page at /api/docs", async () => {
    const response = await t.agent({ origin: null }).fetch("/api/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("/api/openapi.json");
  });
});

describe("each documented operation over plain HTTP", () => {
  it("answers a signed-in learner as documented, with ISO strings for instants", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const { agent: learner, user } = await signedInAs(t, "learner");
    await grantCredits(t, user.id, 2);
    const from = new Date();
    const to = new Date(from.getTime() + 7 * 24 * 3_600_000);
    let sessionId = "";
    let startsAt = "";

    // Called in this order (booking before the session's own operations); each is checked against the document.
    const cases: Record<string, () => Promise<{ status: number; body: Record<string, unknown> }>> = {
      "account-me": async () => {
        const r = await call(learner, "GET", "/me");
        expect(r.body).toMatchObject({ id: user.id, role: "learner", impersonator: null });
        return r;
      },
      "tutoring-teachers-list": async () => {
        const r = await call(learner, "GET", "/teachers?page=1&pageSize=5&query=");
        expect(r.body).toMatchObject({ total: 1, page: 1, pageSize: 5, items: [{ id: teacher.user.id }] });
        return r;
      },
      "tutoring-teachers-get": async () => {
        const r = await call(learner, "GET", `/teachers/${teacher.user.id}`);
        expect((r.body as { nextFreeSlot: string }).nextFreeSlot).toMatch(ISO);
        return r;
      },
      "tutoring-teachers-slots": async () => {
        const r = await call(learner, "POST", `/teachers/${teacher.user.id}/slots`, {
          from: from.toISOString(),
          to: to.toISOString(),
          durationMinutes: 60,
        });
        const slots = (r.body as { slots: string[] }).slots;
        expect(slots.length).toBeGreaterThan(0);
        for (const slot of slots) expect(slot).toMatch(ISO);
        startsAt = slots.at(-1) ?? "";
        return r;
      },
      "tutoring-sessions-book": async () => {
        const r = await call(learner, "POST", "/sessions", {
          teacherId: teacher.user.id,
          startsAt,
          durationMinutes: 60,
        });
        expect(r.body).toMatchObject({ startsAt, status: "booked", viewerRole: "learner", credits: 1 });
        sessionId = (r.body as { id: string }).id;
        return r;
      },
      "tutoring-sessions-get": async () => {
        const r = await call(learner, "GET", `/sessions/${sessionId}`);
        expect(r.body).toMatchObject({ id: sessionId, startsAt, canCancel: true });
        expect((r.body as { createdAt: string }).createdAt).toMatch(ISO);
        return r;
      },
      "tutoring-sessions-upcoming": async () => {
        const r = await call(learner, "GET", "/sessions/upcoming?page=1");
        expect(r.body).toMatchObject({ total: 1, items: [{ id: sessionId }] });
        return r;
      },
      "tutoring-sessions-past": async () => {
        const r = await call(learner, "GET", "/sessions/past");
        expect(r.body).toMatchObject({ total: 0, items: [] });
        return r;
      },
      "tutoring-sessions-cancel": async () => {
        const r = await call(learner, "POST", `/sessions/${sessionId}/cancel`, { reason: "Plans changed" });
        expect(r.body).toMatchObject({ id: sessionId, status: "cancelled", cancelledBy: "learner" });
        expect((r.body as { cancelledAt: string }).cancelledAt).toMatch(ISO);
        return r;
      },
      "tutoring-sessions-cancelled": async () => {
        const r = await call(learner, "GET", "/sessions/cancelled");
        expect(r.body).toMatchObject({ total: 1, items: [{ id: sessionId, status: "cancelled" }] });
        return r;
      },
      "credits-balance": async () => {
        const r = await call(learner, "GET", "/credits/balance");
        // Cancelled more than the free-change window ahead: the credit came back.
        expect(r.body).toMatchObject({ currency: "CREDIT", totalAvailable: 2 });
        return r;
      },
      "credits-history": async () => {
        const r = await call(learner, "GET", "/credits/history?pageSize=10");
        const items = (r.body as { items: { createdAt: string }[] }).items;
        expect(items.length).toBe(3); // grant, reserve, return
        for (const item of items) expect(item.createdAt).toMatch(ISO);
        return r;
      },
    };

    // A newly documented operation without a case here fails this test.
    const documented = operations(doc).map((o) => o.operation.operationId);
    expect(Object.keys(cases).sort()).toEqual([...documented].sort());
    for (const [operationId, run] of Object.entries(cases)) {
      const { status, body } = await run();
      expect(status, operationId).toBe(200);
      expectDocumented(operationId, 200, body);
    }
  });

  it("keeps Dates on the tRPC door (superjson) for the same procedures", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const { agent } = await signedInAs(t, "learner");
    const from = new Date();
    const slots = await agent.trpc.tutoring.teachers.slots.query({
      teacherId: teacher.user.id,
      from,
      to: new Date(from.getTime() + 24 * 3_600_000),
      durationMinutes: 60,
    });
    expect(slots.slots[0]).toBeInstanceOf(Date);
    expect((await agent.trpc.tutoring.teachers.get.query({ teacherId: teacher.user.id })).nextFreeSlot).toBeInstanceOf(
      Date,
    );
    expect((await agent.trpc.account.me.query())?.createdAt).toBeInstanceOf(Date);
  });
});

describe("errors over REST: one documented shape", () => {
  it("answers 401 UNAUTHENTICATED without a session", async () => {
    const anonymous = t.agent();
    const r = await call(anonymous, "GET", "/sessions/upcoming");
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: "UNAUTHENTICATED", status: 401, message: "Please sign in", issues: [] } });
    expectDocumented("tutoring-sessions-upcoming", 401, r.body);
  });

  it("answers 400 VALIDATION_FAILED with the field's issues for bad input, and books nothing", async () => {
    const { agent, user } = await signedInAs(t, "learner");
    await grantCredits(t, user.id, 1);
    const r = await call(agent, "POST", "/sessions", { teacherId: "someone", startsAt: "not a date" });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: { code: "VALIDATION_FAILED", status: 400, issues: [{ path: ["startsAt"] }] },
    });
    expect((r.body as { error: { message: string } }).error.message).toMatch(/^startsAt: /);
    expectDocumented("tutoring-sessions-book", 400, r.body);

    const page = await call(agent, "GET", "/teachers?page=0");
    expect(page.status).toBe(400);
    expect(page.body).toMatchObject({ error: { code: "VALIDATION_FAILED", issues: [{ path: ["page"] }] } });
    expectDocumented("tutoring-teachers-list", 400, page.body);

    const booked = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.learnerId, user.id));
    expect(booked).toEqual([]);
  });

  it("answers 404 with the service's code for a session that is not the caller's", async () => {
    const { agent } = await signedInAs(t, "learner");
    const r = await call(agent, "GET", `/sessions/${crypto.randomUUID()}`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: "SESSION_NOT_FOUND", status: 404, issues: [] } });
    expectDocumented("tutoring-sessions-get", 404, r.body);
  });

  it("refuses a cookie-authenticated change from a foreign Origin with 403 CROSS_ORIGIN_REQUEST", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const { agent, user } = await signedInAs(t, "learner");
    await grantCredits(t, user.id, 1);
    const startsAt = new Date(Date.now() + 48 * 3_600_000);
    startsAt.setUTCMinutes(0, 0, 0);
    const booking = { teacherId: teacher.user.id, startsAt: startsAt.toISOString(), durationMinutes: 60 };
    for (const origin of [FOREIGN, null]) {
      const r = await call(agent.with({ origin }), "POST", "/sessions", booking);
      expect(r.status, String(origin)).toBe(403);
      expect(r.body).toMatchObject({ error: { code: "CROSS_ORIGIN_REQUEST", status: 403 } });
      expectDocumented("tutoring-sessions-book", 403, r.body);
    }
    const booked = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.learnerId, user.id));
    expect(booked).toEqual([]);
    // The same call from the web app's Origin goes through.
    expect((await call(agent, "POST", "/sessions", booking)).status).toBe(200);
  });

  it("lets a script use a bearer token instead of the cookie, with no Origin", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const { user, email, password } = await signedInAs(t, "learner");
    await grantCredits(t, user.id, 1);
    const script = t.agent({ origin: null });
    const signIn = await script.authPost("/sign-in/email", { email, password });
    const token = signIn.headers.get("set-auth-token");
    expect(token).toBeTruthy();
    script.cookies.clear();
    const auth = { authorization: `Bearer ${token}` };
    const me = await script.fetch("/api/v1/me", { headers: auth });
    expect(await me.json()).toMatchObject({ id: user.id });
    const startsAt = new Date(Date.now() + 48 * 3_600_000);
    startsAt.setUTCMinutes(0, 0, 0);
    const booked = await script.fetch("/api/v1/sessions", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ teacherId: teacher.user.id, startsAt: startsAt.toISOString() }),
    });
    expect(booked.status).toBe(200);
    expect(await booked.json()).toMatchObject({ startsAt: startsAt.toISOString(), status: "booked" });
  });

  it("honours Idempotency-Key over REST: a retry replays the first booking, another body gets 422", async () => {
    const teacher = await person(t, "teacher");
    await teacher.agent.trpc.tutoring.availability.setWeekly.mutate({ rules: ALWAYS });
    const { agent, user } = await signedInAs(t, "learner");
    await grantCredits(t, user.id, 2);
    const startsAt = new Date(Date.now() + 48 * 3_600_000);
    startsAt.setUTCMinutes(0, 0, 0);
    const booking = { teacherId: teacher.user.id, startsAt: startsAt.toISOString(), durationMinutes: 60 };
    const send = (body: unknown) =>
      agent.fetch("/api/v1/sessions", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "rest-retry-0001" },
        body: JSON.stringify(body),
      });
    const first = await send(booking);
    expect(first.status).toBe(200);
    const retry = await send(booking);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const [a, b] = [(await first.json()) as { id: string }, (await retry.json()) as { id: string; startsAt: string }];
    expect(b.id).toBe(a.id);
    expect(b.startsAt).toBe(booking.startsAt);
    const other = await send({ ...booking, durationMinutes: 30 });
    expect(other.status).toBe(422);
    const body = await other.json();
    expect(body).toMatchObject({ error: { code: "IDEMPOTENCY_KEY_REUSED", status: 422 } });
    expectDocumented("tutoring-sessions-book", 422, body);
    const booked = await t.db
      .select()
      .from(schema.tutoringSessions)
      .where(eq(schema.tutoringSessions.learnerId, user.id));
    expect(booked).toHaveLength(1);
  });

  it("refuses an oversized body with 413 PAYLOAD_TOO_LARGE in the same shape, before reading it", async () => {
    const { agent } = await signedInAs(t, "learner");
    const r = await call(agent, "POST", "/sessions", { padding: "x".repeat(t.env.REQUEST_BODY_LIMIT_BYTES) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", status: 413, issues: [] } });
  });

  it("answers an unknown path with 404 NOT_FOUND in the same shape", async () => {
    const { agent } = await signedInAs(t, "learner");
    const r = await call(agent, "GET", "/no-such-thing");
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: "NOT_FOUND", status: 404, issues: [] } });
  });
});
