import { schema } from "@lectern/db";
import { asc, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../router.ts";
import { rawTrpc } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { adjustWallet } from "../ledger/recipes.ts";
import { post } from "../ledger/service.ts";
import { type Person, person } from "../tutoring/testing.ts";

/**
 * The authorization matrix of the money procedures people call for themselves (payments.* and
 * withdrawals.*; the console's admin.orders, admin.wallets and admin.withdrawals have theirs in
 * refunds.test.ts, wallet.test.ts and withdrawals.test.ts). Every procedure: anonymous callers get
 * 401 and nothing; another signed-in person gets the public answer, their own (empty) data, or a 404
 * for the owner's ids, and the owner's orders, withdrawals, payout methods and balances never change.
 */

const t = await useTestApp();

type ProcedureType = "query" | "mutation";
const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, { _def: { type: ProcedureType } }> }).procedures,
)
  .filter(([path]) => path.startsWith("payments.") || path.startsWith("withdrawals."))
  .map(([path, procedure]) => ({ path, type: procedure._def.type }));

interface World {
  learner: Person;
  teacher: Person;
  other: Person;
  packId: string;
  orderId: string;
  methodId: string;
  withdrawalId: string;
}
let w: World;

/** What another caller gets: a status, and for 404s the code. */
type Refusal = 200 | { status: 404; code: string };
interface Case {
  input?: (w: World) => unknown;
  owner: "learner" | "teacher";
  other: Refusal;
}
const notFound = (code: string): Refusal => ({ status: 404, code });

const cases: Record<string, Case> = {
  "payments.packs": { owner: "learner", other: 200 },
  "payments.checkout.start": { owner: "learner", other: 200, input: (w) => ({ packId: w.packId, currency: "USD" }) },
  "payments.orders.list": { owner: "learner", other: 200, input: () => ({}) },
  "payments.orders.get": {
    owner: "learner",
    other: notFound("ORDER_NOT_FOUND"),
    input: (w) => ({ orderId: w.orderId }),
  },
  "payments.orders.confirm": {
    owner: "learner",
    other: notFound("ORDER_NOT_FOUND"),
    input: (w) => ({ orderId: w.orderId }),
  },
  "payments.receipts.get": {
    owner: "learner",
    other: notFound("ORDER_NOT_FOUND"),
    input: (w) => ({ orderId: w.orderId }),
  },
  "withdrawals.methods.list": { owner: "teacher", other: 200 },
  "withdrawals.methods.available": { owner: "teacher", other: 200 },
  "withdrawals.methods.banks": { owner: "teacher", other: 200 },
  "withdrawals.methods.add": { owner: "teacher", other: 200, input: () => ({ kind: "local", currency: "EUR" }) },
  "withdrawals.methods.onboardingLink": {
    owner: "teacher",
    other: notFound("PAYOUT_METHOD_NOT_FOUND"),
    input: (w) => ({ methodId: w.methodId }),
  },
  "withdrawals.methods.refresh": {
    owner: "teacher",
    other: notFound("PAYOUT_METHOD_NOT_FOUND"),
    input: (w) => ({ methodId: w.methodId }),
  },
  "withdrawals.methods.remove": {
    owner: "teacher",
    other: notFound("PAYOUT_METHOD_NOT_FOUND"),
    input: (w) => ({ methodId: w.methodId }),
  },
  "withdrawals.limits": { owner: "teacher", other: 200, input: () => ({ currency: "USD" }) },
  "withdrawals.request": {
    owner: "teacher",
    other: notFound("PAYOUT_METHOD_NOT_FOUND"),
    input: (w) => ({ currency: "USD", amount: 10_00, methodId: w.methodId }),
  },
  "withdrawals.confirm": {
    owner: "teacher",
    other: notFound("WITHDRAWAL_NOT_FOUND"),
    input: (w) => ({ withdrawalId: w.withdrawalId, code: "000000" }),
  },
  "withdrawals.cancel": {
    owner: "teacher",
    other: notFound("WITHDRAWAL_NOT_FOUND"),
    input: (w) => ({ withdrawalId: w.withdrawalId }),
  },
  "withdrawals.list": { owner: "teacher", other: 200, input: () => ({}) },
  "withdrawals.get": {
    owner: "teacher",
    other: notFound("WITHDRAWAL_NOT_FOUND"),
    input: (w) => ({ withdrawalId: w.withdrawalId }),
  },
};

/** Everything the owners have in money, as the database holds it. */
async function ownersState() {
  const owners = [w.learner.user.id, w.teacher.user.id];
  return {
    orders: await t.db.select().from(schema.orders).where(inArray(schema.orders.buyerId, owners)),
    withdrawals: await t.db.select().from(schema.withdrawals).where(inArray(schema.withdrawals.userId, owners)),
    methods: await t.db.select().from(schema.payoutMethods).where(inArray(schema.payoutMethods.userId, owners)),
    balances: await t.db
      .select({ id: schema.ledgerAccounts.id, balance: schema.ledgerAccounts.balance })
      .from(schema.ledgerAccounts)
      .where(inArray(schema.ledgerAccounts.ownerId, owners))
      .orderBy(asc(schema.ledgerAccounts.id)),
  };
}

beforeAll(async () => {
  const admin = await person(t, "admin");
  const pack = await admin.agent.trpc.admin.packs.create.mutate({
    name: "Matrix",
    sessions: 2,
    prices: { USD: 2_000 },
  });
  const learner = await person(t, "learner", { name: "Owner Learner Zed" });
  const { orderId, url } = await learner.agent.trpc.payments.checkout.start.mutate({
    packId: pack.id,
    currency: "USD",
  });
  const page = new URL(url);
  await t.app.request(page.pathname, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: page.searchParams.get("token") ?? "", action: "pay" }).toString(),
  });
  const [paid] = await t.db.select().from(schema.orders).where(eq(schema.orders.id, orderId));
  expect(paid?.status).toBe("paid");

  const teacher = await person(t, "teacher", { name: "Owner Teacher Zed" });
  await t.db.transaction((tx) =>
    post(tx, adjustWallet({ ownerId: teacher.user.id, currency: "USD", amount: 500_00 }, { description: "funds" })),
  );
  const method = await teacher.agent.trpc.withdrawals.methods.add.mutate({ kind: "local", currency: "USD" });
  const withdrawal = await teacher.agent.trpc.withdrawals.request.mutate({
    currency: "USD",
    amount: 20_00,
    methodId: method.id,
  });
  const other = await person(t, "teacher");
  w = {
    learner,
    teacher,
    other,
    packId: pack.id,
    orderId,
    methodId: method.id,
    withdrawalId: withdrawal.id,
  };
});

describe("money procedures", () => {
  it("all have a case in this matrix", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(19);
    expect(procedures.map((p) => p.path).sort()).toEqual(Object.keys(cases).sort());
  });

  it.each(procedures)("$path: anonymous callers get 401, no data and no change", async ({ path, type }) => {
    const before = await ownersState();
    const response = await rawTrpc(t.agent(), type, path, cases[path]?.input?.(w));
    expect(response.status).toBe(401);
    expect(response.appCode).toBe("UNAUTHENTICATED");
    expect(response.body.result).toBeUndefined();
    expect(await ownersState()).toEqual(before);
  });

  it.each(procedures)(
    "$path: another person gets their own answer or a 404; nothing of the owner's leaks or changes",
    async ({ path, type }) => {
      const c = cases[path] as Case;
      const before = await ownersState();
      const response = await rawTrpc(w.other.agent, type, path, c.input?.(w));
      if (c.other === 200) expect(response.status, response.text).toBe(200);
      else {
        expect(response.status, response.text).toBe(c.other.status);
        expect(response.appCode).toBe(c.other.code);
        expect(response.body.result).toBeUndefined();
      }
      for (const secret of [w.orderId, w.withdrawalId, w.methodId, "Owner Learner Zed", "Owner Teacher Zed"])
        expect(response.text).not.toContain(secret);
      expect(await ownersState()).toEqual(before);
    },
  );

  it.each(procedures.filter((p) => p.type === "query"))("$path answers its owner", async ({ path, type }) => {
    const c = cases[path] as Case;
    const response = await rawTrpc(w[c.owner].agent, type, path, c.input?.(w));
    expect(response.status, response.text).toBe(200);
  });
});
