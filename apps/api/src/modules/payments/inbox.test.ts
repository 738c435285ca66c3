import { schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { person } from "../tutoring/testing.ts";
import { applyEvent, type EventHandlers, providerEventHandlers, recordEvent } from "./inbox.ts";

const t = await useTestApp();

/** A test-only effect: one row per applied event, so "applied once" is a count. */
beforeAll(async () => {
  await t.db.execute(sql`create table inbox_test_effects (event_id text not null, amount integer not null)`);
});

const effects = async (eventId: string) =>
  (
    await t.db.execute<{ event_id: string; amount: number }>(
      sql`select event_id, amount from inbox_test_effects where event_id = ${eventId}`,
    )
  ).rows;

const credit: EventHandlers = {
  "payment.succeeded": async (tx, event) => {
    const { amount } = event.payload as { amount: number };
    await tx.execute(sql`insert into inbox_test_effects (event_id, amount) values (${event.eventId}, ${amount})`);
  },
};

const eventRow = async (provider: string, eventId: string) =>
  (
    await t.db
      .select()
      .from(schema.providerEvents)
      .where(and(eq(schema.providerEvents.provider, provider), eq(schema.providerEvents.eventId, eventId)))
  )[0];

/** One webhook delivery: record, then apply; a delivery that finds another applying it leaves it to that one. */
async function deliver(
  provider: string,
  event: { id: string; type: string; payload: unknown },
  handlers: EventHandlers,
) {
  await recordEvent(t.db, provider, event);
  try {
    return (await applyEvent(t.db, provider, event.id, handlers)).status;
  } catch (error) {
    if (error instanceof AppError && error.code === "PROVIDER_EVENT_BUSY") return "busy";
    throw error;
  }
}

describe("provider-event inbox", () => {
  it("an event delivered ten times (five at once) takes effect once", async () => {
    const event = { id: `evt_${crypto.randomUUID()}`, type: "payment.succeeded", payload: { amount: 500 } };
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => deliver("fake", event, credit)));
    const sequential = [];
    for (let i = 0; i < 5; i++) sequential.push(await deliver("fake", event, credit));

    expect(concurrent.filter((s) => s === "processed")).toHaveLength(1);
    expect(sequential).toEqual(Array(5).fill("already_processed"));
    expect(await effects(event.id)).toEqual([{ event_id: event.id, amount: 500 }]);
    expect(await eventRow("fake", event.id)).toMatchObject({
      status: "processed",
      attempts: 1,
      lastError: null,
      processedAt: expect.any(Date),
    });
  });

  it("a failing handler leaves nothing behind and the event failed with its error; a replay applies it once", async () => {
    const admin = await person(t, "admin");
    const event = { id: `evt_${crypto.randomUUID()}`, type: "payment.succeeded", payload: { amount: 700 } };
    // Writes its effect, then fails: the effect must roll back with it.
    const broken: EventHandlers = {
      "payment.succeeded": async (tx, e) => {
        await credit["payment.succeeded"]?.(tx, e);
        throw new Error("ledger unavailable");
      },
    };
    expect(await deliver("replayable", event, broken)).toBe("failed");
    expect(await deliver("replayable", event, broken)).toBe("failed");
    expect(await effects(event.id)).toEqual([]);
    const failed = await eventRow("replayable", event.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 2, lastError: "ledger unavailable", processedAt: null });

    const listed = await admin.agent.trpc.admin.inbox.list.query({ status: "failed", provider: "replayable" });
    expect(listed.items.map((e) => e.eventId)).toEqual([event.id]);
    expect(listed.items[0]).toMatchObject({ attempts: 2, lastError: "ledger unavailable" });
    expect(listed.items[0]).not.toHaveProperty("payload");

    // The handler is fixed (the registry the payments issue fills); the admin replays the event.
    providerEventHandlers.replayable = credit;
    const replay = await admin.agent.trpc.admin.inbox.replay.mutate({ id: failed?.id ?? "" });
    expect(replay).toEqual({ outcome: "processed", error: null });
    expect(await admin.agent.trpc.admin.inbox.replay.mutate({ id: failed?.id ?? "" })).toEqual({
      outcome: "already_processed",
      error: null,
    });
    expect(await deliver("replayable", event, credit)).toBe("already_processed");
    expect(await effects(event.id)).toEqual([{ event_id: event.id, amount: 700 }]);
    expect(await eventRow("replayable", event.id)).toMatchObject({ status: "processed", attempts: 3, lastError: null });
    expect((await admin.agent.trpc.admin.inbox.list.query({ status: "failed", provider: "replayable" })).items).toEqual(
      [],
    );

    const audit = await t.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "provider_event.replay"), eq(schema.auditLog.targetId, failed?.id ?? "")));
    expect(audit).toHaveLength(2);
    expect(audit.map((a) => a.actorId)).toEqual([admin.user.id, admin.user.id]);
    expect(audit.find((a) => (a.after as { outcome: string }).outcome === "processed")?.before).toEqual({
      status: "failed",
      attempts: 2,
    });
  });

  it("replaying an event whose type has no handler is a 409 PROVIDER_EVENT_NO_HANDLER and changes nothing", async () => {
    const admin = await person(t, "admin");
    const event = { id: `evt_${crypto.randomUUID()}`, type: "refund.created", payload: {} };
    const { id } = await recordEvent(t.db, "unhandled", event);
    const refused = await trpcError(admin.agent.trpc.admin.inbox.replay.mutate({ id }));
    expect(refused).toMatchObject({ appCode: "PROVIDER_EVENT_NO_HANDLER", status: 409 });
    expect(await eventRow("unhandled", event.id)).toMatchObject({ status: "received", attempts: 0 });

    const missing = await trpcError(admin.agent.trpc.admin.inbox.replay.mutate({ id: crypto.randomUUID() }));
    expect(missing).toMatchObject({ appCode: "PROVIDER_EVENT_NOT_FOUND", status: 404 });
  });

  it("a redelivery keeps the first record", async () => {
    const first = await recordEvent(t.db, "fake", {
      id: "evt_same",
      type: "payment.succeeded",
      payload: { amount: 1 },
    });
    const again = await recordEvent(t.db, "fake", {
      id: "evt_same",
      type: "payment.succeeded",
      payload: { amount: 2 },
    });
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect((await eventRow("fake", "evt_same"))?.payload).toEqual({ amount: 1 });
  });
});
