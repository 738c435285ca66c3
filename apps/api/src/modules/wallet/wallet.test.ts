import { schema } from "@lectern/db";
import { createTRPCClient, httpLink } from "@trpc/client";
import { and, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import { type AppRouter, appRouter } from "../../router.ts";
import { type Agent, rawTrpc, trpcError } from "../../testing/index.ts";
import { useTestApp } from "../../testing/vitest.ts";
import { systemAccountId } from "../ledger/accounts.ts";
import {
  holdWithdrawal,
  payOutWithdrawal,
  postEarnings,
  recordCreatorSale,
  releaseWithdrawal,
  reverseEarnings,
  reverseWithdrawalPayout,
} from "../ledger/recipes.ts";
import { post, userAccount } from "../ledger/service.ts";
import { ledgerInvariants, type Person, person } from "../tutoring/testing.ts";
import { neutraliseFormula } from "./csv.ts";
import { adminWalletsProcedures, walletProcedures } from "./router.ts";
import { earningsByMonth } from "./service.ts";

const t = await useTestApp();

// The world: money reaches wallets through other modules (session completion, sales, withdrawals);
// here it is posted with their recipes through the ledger service, as those modules post it.

const earn = (teacherId: string, amount: number, currency = "USD", description = "Session completed") =>
  t.db.transaction((tx) =>
    post(
      tx,
      postEarnings(
        { teacherId, currency, amount },
        { description, reference: { type: "tutoring_session", id: crypto.randomUUID() } },
      ),
    ),
  );

const sell = (creatorId: string, amount: number, platformFee: number, currency = "USD") =>
  t.db.transaction((tx) =>
    post(
      tx,
      recordCreatorSale(
        { creatorId, currency, amount, platformFee },
        { description: "Course sold", reference: { type: "order", id: crypto.randomUUID() } },
      ),
    ),
  );

const withdrawalMemo = () => ({
  description: "Withdrawal",
  reference: { type: "withdrawal", id: crypto.randomUUID() },
});

/**
 * Earnings posted at a chosen instant (the ledger stamps entries with the transaction's start, so a
 * past month is written with the same single balanced statement post() uses, dated).
 */
async function earnAt(teacherId: string, amount: number, at: Date, currency = "USD") {
  await t.db.transaction(async (tx) => {
    const wallet = await userAccount(tx, teacherId, "wallet", currency);
    const payroll = systemAccountId("payroll_expense", currency);
    await tx.execute(sql`
      with tr as (
        insert into ledger_transactions (kind, description, created_at)
        values ('earnings.post', 'Session completed', ${at.toISOString()}::timestamptz) returning id
      )
      insert into ledger_entries (transaction_id, account_id, amount, currency, created_at)
      select tr.id, v.account_id, v.amount, ${currency}, ${at.toISOString()}::timestamptz
      from tr, (values (${payroll}::uuid, ${-amount}::bigint), (${wallet}::uuid, ${amount}::bigint)) v(account_id, amount)`);
  });
}

/** The agent's browser sending this Idempotency-Key, as the console's link does per action. */
function withKey(agent: Agent, key: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://localhost/api/trpc",
        transformer: superjson,
        headers: { "idempotency-key": key },
        fetch: (input, init) => agent.fetch(String(input), init as RequestInit),
      }),
    ],
  });
}
const newKey = () => `key-${crypto.randomUUID()}`;

const auditRows = (targetId: string) =>
  t.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, "wallet.adjust"), eq(schema.auditLog.targetId, targetId)));

const adjustments = async (ownerId: string) =>
  Number(
    (
      await t.db.execute<{ n: string }>(sql`
        select count(*)::text as n from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
        join ledger_accounts a on a.id = e.account_id where t.kind = 'wallet.adjust' and a.owner_id = ${ownerId}`)
    ).rows[0]?.n,
  );

async function expectLedgerSound() {
  const invariants = await ledgerInvariants(t);
  expect(invariants.unbalanced).toEqual([]);
  expect(invariants.drift).toEqual([]);
  expect(invariants.negative).toEqual([]);
}

let admin: Person;
beforeAll(async () => {
  admin = await person(t, "admin");
});

describe("the wallet procedures' authorization", () => {
  type ProcedureType = "query" | "mutation";
  const prefixes = [
    ...Object.keys(walletProcedures).map((k) => `wallet.${k}`),
    ...Object.keys(adminWalletsProcedures).map((k) => `admin.wallets.${k}`),
  ];
  const procedures = Object.entries(
    (appRouter._def as unknown as { procedures: Record<string, { _def: { type: ProcedureType } }> }).procedures,
  )
    .filter(([path]) => prefixes.includes(path))
    .map(([path, p]) => ({ path, type: p._def.type }));

  interface World {
    learner: Person;
    teacher: Person;
    other: Person;
  }
  let w: World;
  beforeAll(async () => {
    w = {
      learner: await person(t, "learner"),
      teacher: await person(t, "teacher"),
      other: await person(t, "teacher", { name: "Other Teacher" }),
    };
    await earn(w.other.user.id, 5000, "GBP", "Other's secret session");
  });

  const inputs: Record<string, (w: World) => unknown> = {
    "wallet.summary": () => undefined,
    "wallet.history": () => ({}),
    "wallet.csv": () => ({}),
    "wallet.earningsByMonth": () => ({}),
    "admin.wallets.list": () => ({}),
    "admin.wallets.get": (w) => ({ userId: w.other.user.id }),
    "admin.wallets.adjust": (w) => ({ userId: w.teacher.user.id, currency: "USD", amount: 100, reason: "Matrix" }),
  };

  it("covers every wallet procedure", () => {
    expect(procedures.map((p) => p.path).sort()).toEqual(Object.keys(inputs).sort());
  });

  it.each(procedures)("$path refuses anonymous callers with 401 and no data", async ({ path, type }) => {
    const response = await rawTrpc(t.agent(), type, path, inputs[path]?.(w));
    expect(response.status).toBe(401);
    expect(response.appCode).toBe("UNAUTHENTICATED");
    expect(response.body.result).toBeUndefined();
  });

  it.each(procedures)(
    "$path: learners and teachers see only their own wallet; admin.* is for admins",
    async ({ path, type }) => {
      for (const who of [w.learner, w.teacher]) {
        const response = await rawTrpc(who.agent, type, path, inputs[path]?.(w));
        expect(response.text).not.toContain("Other's secret session");
        expect(response.text).not.toContain(w.other.user.id);
        if (path.startsWith("admin.")) {
          expect(response.status).toBe(403);
          expect(response.appCode).toBe("ADMIN_ONLY");
          expect(response.body.result).toBeUndefined();
          continue;
        }
        expect(response.status, response.text).toBe(200);
        const data = response.data as Record<string, unknown> | unknown[];
        if (path === "wallet.summary") expect(data).toEqual([]);
        if (path === "wallet.history") expect(data).toMatchObject({ items: [], total: 0 });
        if (path === "wallet.csv") expect((data as { csv: string }).csv.trim().split("\r\n")).toHaveLength(1);
        if (path === "wallet.earningsByMonth") expect(data).toMatchObject({ series: [] });
      }
      expect(await adjustments(w.teacher.user.id)).toBe(0);
      expect(await auditRows(w.teacher.user.id)).toEqual([]);
    },
  );

  it.each(procedures)("$path answers an admin", async ({ path, type }) => {
    const response = await rawTrpc(admin.agent, type, path, inputs[path]?.(w));
    expect(response.status, response.text).toBe(200);
    if (path === "admin.wallets.get")
      expect(response.data).toMatchObject({
        user: { id: w.other.user.id },
        balances: [{ currency: "GBP", availableMinor: 5000 }],
        history: { items: [{ description: "Other's secret session" }] },
      });
  });
});

describe("wallet.summary", () => {
  it("shows available, pending and earned this month per currency, after earnings, sales, holds and adjustments", async () => {
    const teacher = await person(t, "teacher");
    const id = teacher.user.id;
    await earn(id, 6000);
    await sell(id, 10_000, 2000);
    await earn(id, 150_000, "NGN");
    await t.db.transaction((tx) =>
      post(tx, holdWithdrawal({ ownerId: id, currency: "USD", amount: 3000 }, withdrawalMemo())),
    );
    await withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
      userId: id,
      currency: "USD",
      amount: -500,
      reason: "Fee correction",
    });

    expect(await teacher.agent.trpc.wallet.summary.query()).toEqual([
      { currency: "NGN", availableMinor: 150_000, pendingMinor: 0, earnedThisMonthMinor: 150_000 },
      // 6000 + 8000 (the sale less the fee) - 3000 held - 500 adjusted; the adjustment is not earnings
      { currency: "USD", availableMinor: 10_500, pendingMinor: 3000, earnedThisMonthMinor: 14_000 },
    ]);

    await t.db.transaction((tx) =>
      post(tx, payOutWithdrawal({ ownerId: id, currency: "USD", amount: 3000 }, withdrawalMemo())),
    );
    const [, usd] = await teacher.agent.trpc.wallet.summary.query();
    expect(usd).toMatchObject({ availableMinor: 10_500, pendingMinor: 0 });
    await expectLedgerSound();
  });
});

describe("wallet.history", () => {
  let teacher: Person;
  beforeAll(async () => {
    teacher = await person(t, "teacher");
    const id = teacher.user.id;
    for (let i = 1; i <= 5; i += 1) await earn(id, i * 1000, "USD", `Session ${i}`);
    await sell(id, 5000, 1000, "EUR");
    await t.db.transaction((tx) =>
      post(tx, holdWithdrawal({ ownerId: id, currency: "USD", amount: 2500 }, withdrawalMemo())),
    );
  });

  it("lists the caller's entries newest first, signed, with the balance after each and its reference", async () => {
    const all = await teacher.agent.trpc.wallet.history.query({});
    expect(all.total).toBe(8);
    const [heldIn, heldOut, sale, fifth] = all.items;
    // The hold moves available into pending: two entries of one transaction.
    expect([heldIn, heldOut].map((e) => [e?.side, e?.amountMinor, e?.balanceAfterMinor]).sort()).toEqual([
      ["available", -2500, 12_500],
      ["pending", 2500, 2500],
    ]);
    expect(heldIn?.kind).toBe("withdrawal_hold");
    expect(heldIn?.reference).toMatchObject({ type: "withdrawal" });
    expect(sale).toMatchObject({ kind: "sale", currency: "EUR", amountMinor: 4000, balanceAfterMinor: 4000 });
    expect(fifth).toMatchObject({
      kind: "earnings",
      description: "Session 5",
      amountMinor: 5000,
      balanceAfterMinor: 15_000,
      reference: { type: "tutoring_session" },
    });
    expect(all.items.at(-1)).toMatchObject({ description: "Session 1", balanceAfterMinor: 1000 });
  });

  it("filters by currency, kind and dates, and pages without gaps or repeats", async () => {
    const eur = await teacher.agent.trpc.wallet.history.query({ currency: "EUR" });
    expect(eur.items.map((e) => e.kind)).toEqual(["sale"]);
    const earnings = await teacher.agent.trpc.wallet.history.query({ kind: "earnings", pageSize: 2 });
    expect(earnings.total).toBe(5);
    const pages = [earnings.items];
    for (let page = 2; page <= 3; page += 1)
      pages.push((await teacher.agent.trpc.wallet.history.query({ kind: "earnings", pageSize: 2, page })).items);
    expect(pages.flat().map((e) => e.description)).toEqual([
      "Session 5",
      "Session 4",
      "Session 3",
      "Session 2",
      "Session 1",
    ]);
    // The filter does not change the balances: they are the account's, not the page's.
    expect(pages.flat().map((e) => e.balanceAfterMinor)).toEqual([15_000, 10_000, 6000, 3000, 1000]);

    const future = new Date(Date.now() + 60_000);
    expect(await teacher.agent.trpc.wallet.history.query({ from: future })).toMatchObject({ items: [], total: 0 });
    expect((await teacher.agent.trpc.wallet.history.query({ to: future })).total).toBe(8);
    const past = new Date(Date.now() - 3_600_000);
    expect((await teacher.agent.trpc.wallet.history.query({ to: past })).total).toBe(0);

    const backwards = await trpcError(teacher.agent.trpc.wallet.history.query({ from: future, to: past }));
    expect(backwards).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    const badKind = await trpcError(teacher.agent.trpc.wallet.history.query({ kind: "gift" as never }));
    expect(badKind).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
  });

  it("names every kind of movement that reaches a wallet", async () => {
    const other = await person(t, "teacher");
    const id = other.user.id;
    const usd = { ownerId: id, currency: "USD", amount: 300 };
    await earn(id, 1000);
    await t.db.transaction((tx) =>
      post(tx, reverseEarnings({ teacherId: id, currency: "USD", amount: 100 }, { description: "Session reversed" })),
    );
    await sell(id, 500, 100);
    await t.db.transaction((tx) => post(tx, holdWithdrawal(usd, withdrawalMemo())));
    await t.db.transaction((tx) => post(tx, releaseWithdrawal(usd, withdrawalMemo())));
    await t.db.transaction((tx) => post(tx, holdWithdrawal(usd, withdrawalMemo())));
    await t.db.transaction((tx) => post(tx, payOutWithdrawal(usd, withdrawalMemo())));
    await t.db.transaction((tx) => post(tx, reverseWithdrawalPayout(usd, withdrawalMemo())));
    await admin.agent.trpc.admin.wallets.adjust.mutate({ userId: id, currency: "USD", amount: 5, reason: "Rounding" });
    const { items } = await other.agent.trpc.wallet.history.query({});
    expect(items.map((e) => `${e.kind}:${e.side}:${e.amountMinor}`).reverse()).toEqual([
      "earnings:available:1000",
      "reversal:available:-100",
      "sale:available:400",
      expect.stringMatching(/^withdrawal_hold:(available:-300|pending:300)$/),
      expect.stringMatching(/^withdrawal_hold:(available:-300|pending:300)$/),
      expect.stringMatching(/^withdrawal_release:(available:300|pending:-300)$/),
      expect.stringMatching(/^withdrawal_release:(available:300|pending:-300)$/),
      expect.stringMatching(/^withdrawal_hold:(available:-300|pending:300)$/),
      expect.stringMatching(/^withdrawal_hold:(available:-300|pending:300)$/),
      "withdrawal_payout:pending:-300",
      "withdrawal_release:available:300",
      "adjustment:available:5",
    ]);
    for (const kind of ["reversal", "withdrawal_release", "withdrawal_payout"] as const)
      expect((await other.agent.trpc.wallet.history.query({ kind })).items.every((e) => e.kind === kind)).toBe(true);
    expect(await other.agent.trpc.wallet.summary.query()).toMatchObject([
      // earned: the earnings and the sale credited this month (a reversal takes nothing off the chart)
      { currency: "USD", availableMinor: 1305, pendingMinor: 0, earnedThisMonthMinor: 1400 },
    ]);
  });

  it("reads the caller's accounts through the (account_id, created_at) index, not the whole entries table", async () => {
    const plan = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const { rows } = await tx.execute<{ "QUERY PLAN": string }>(sql`
        explain select e.id from ledger_accounts a join ledger_entries e on e.account_id = a.id
        where a.owner_id = ${teacher.user.id} and a.kind in ('wallet', 'wallet_held')
        order by e.created_at desc, e.id desc limit 20`);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("ledger_entries_account_idx");
    expect(plan).not.toMatch(/Seq Scan on ledger_entries/);
  });
});

describe("wallet.csv", () => {
  it("exports decimal amounts with currency codes and ISO dates, and neutralises formula cells", async () => {
    const teacher = await person(t, "teacher");
    const id = teacher.user.id;
    await earn(id, 1250, "USD", '=HYPERLINK("http://evil.example","click")');
    await earn(id, 100, "USD", "+1+1");
    await earn(id, 100, "USD", "@SUM(A1)");
    await earn(id, 100, "USD", "\tTabbed");
    await earn(id, 100, "USD", "-2+3");
    await withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
      userId: id,
      currency: "USD",
      amount: -550,
      reason: "=cmd|' /C calc'!A0",
    });

    const { csv, filename, truncated } = await teacher.agent.trpc.wallet.csv.query({ currency: "USD" });
    expect(filename).toMatch(/^lectern-wallet-USD-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(truncated).toBe(false);
    const lines = csv.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toBe(
      "Date,Kind,Description,Wallet,Amount,Currency,Balance after,Reference type,Reference,Transaction",
    );
    const [adjust, minus, tab, at, plus, hyperlink] = lines.slice(1, 7);
    expect(adjust).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z,adjustment,'=cmd\|' \/C calc'!A0,available,-5\.50,USD,11\.00,,,[0-9a-f-]{36}$/,
    );
    expect(minus).toContain(",earnings,'-2+3,available,1.00,USD,16.50,tutoring_session,");
    expect(tab).toContain(",earnings,'\tTabbed,");
    expect(at).toContain(",earnings,'@SUM(A1),");
    expect(plus).toContain(",earnings,'+1+1,");
    // Quotes inside the cell are doubled, the whole cell quoted, the apostrophe first.
    expect(hyperlink).toContain(
      `,earnings,"'=HYPERLINK(""http://evil.example"",""click"")",available,12.50,USD,12.50,`,
    );
    // No cell of the export starts a formula.
    for (const line of lines.slice(1, -1))
      for (const cell of line.split(","))
        if (!/^-?\d+(\.\d+)?$/.test(cell)) expect(cell.replace(/^"/, "")).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("keeps plain numbers and ordinary text as they are", () => {
    expect(neutraliseFormula("-12.50")).toBe("-12.50");
    expect(neutraliseFormula("Session 1")).toBe("Session 1");
    expect(neutraliseFormula("-")).toBe("'-");
    expect(neutraliseFormula("\rx")).toBe("'\rx");
  });
});

describe("wallet.earningsByMonth", () => {
  it("buckets earnings and sales by month in the viewer's time zone", async () => {
    const tokyo = await person(t, "teacher", { timezone: "Asia/Tokyo" });
    const id = tokyo.user.id;
    // Tokyo is UTC+9 all year: the first instant of this month there.
    const nineHours = 9 * 3_600_000;
    const local = new Date(Date.now() + nineHours);
    const monthStart = (offset: number) =>
      new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1) - nineHours);
    const month = (offset: number) => {
      const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1));
      return d.toISOString().slice(0, 7);
    };
    // An hour after midnight on the 1st in Tokyo is still the previous month in UTC.
    await earnAt(id, 700, new Date(monthStart(0).getTime() + 3_600_000));
    await earnAt(id, 300, new Date(monthStart(0).getTime() - 3_600_000));
    await earnAt(id, 200, new Date(monthStart(-11).getTime() + 1000));
    await earnAt(id, 999, new Date(monthStart(-11).getTime() - 1000)); // 12 months back: outside
    await earnAt(id, 400, new Date(monthStart(-1).getTime() + 3_600_000), "EGP");

    const chart = await tokyo.agent.trpc.wallet.earningsByMonth.query({ months: 12 });
    expect(chart.timezone).toBe("Asia/Tokyo");
    expect(chart.months).toHaveLength(12);
    expect(chart.months[0]).toBe(month(-11));
    expect(chart.months[11]).toBe(month(0));
    const usd = chart.series.find((s) => s.currency === "USD")?.amountsMinor;
    expect(usd?.[11]).toBe(700);
    expect(usd?.[10]).toBe(300);
    expect(usd?.[0]).toBe(200);
    expect(usd?.reduce((a, b) => a + b, 0)).toBe(1200);
    expect(chart.series.find((s) => s.currency === "EGP")?.amountsMinor[10]).toBe(400);

    const [, usdSummary] = await tokyo.agent.trpc.wallet.summary.query();
    expect(usdSummary).toMatchObject({ currency: "USD", earnedThisMonthMinor: 700 });

    // The same entries seen from UTC fall a month apart where Tokyo's midnight is not UTC's.
    const utc = await earningsByMonth(t.db, { id, timezone: "UTC" }, { months: 12 });
    const utcUsd = utc.series.find((s) => s.currency === "USD")?.amountsMinor;
    expect(utcUsd?.[11]).toBe(0);
    expect(utcUsd?.[10]).toBe(1000);

    const tooMany = await trpcError(tokyo.agent.trpc.wallet.earningsByMonth.query({ months: 25 }));
    expect(tooMany).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
  });
});

describe("admin.wallets", () => {
  it("lists users with wallets and their balances, searchable; gets one with history", async () => {
    const teacher = await person(t, "teacher", { name: "Zed Walletholder" });
    await earn(teacher.user.id, 4200, "EGP");
    const listed = await admin.agent.trpc.admin.wallets.list.query({ query: "walletholder" });
    expect(listed).toMatchObject({
      total: 1,
      items: [
        {
          id: teacher.user.id,
          role: "teacher",
          balances: [{ currency: "EGP", availableMinor: 4200, pendingMinor: 0 }],
        },
      ],
    });
    const learner = await person(t, "learner", { name: "Zed Learner" });
    expect((await admin.agent.trpc.admin.wallets.list.query({ query: "Zed" })).items.map((i) => i.id)).not.toContain(
      learner.user.id,
    );
    const got = await admin.agent.trpc.admin.wallets.get.query({ userId: teacher.user.id });
    expect(got).toMatchObject({ user: { name: "Zed Walletholder" }, history: { total: 1 } });
    const missing = await trpcError(admin.agent.trpc.admin.wallets.get.query({ userId: "nobody" }));
    expect(missing).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
  });

  it("adjust credits and debits with an audit row of the balance before and after", async () => {
    const teacher = await person(t, "teacher");
    const id = teacher.user.id;
    const credited = await withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
      userId: id,
      currency: "GBP",
      amount: 2500,
      reason: "Missed session pay",
    });
    expect(credited).toMatchObject({ amountMinor: 2500, availableBeforeMinor: 0, availableAfterMinor: 2500 });
    await withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
      userId: id,
      currency: "GBP",
      amount: -1000,
      reason: "Overpaid",
    });
    const rows = await auditRows(id);
    expect(rows.map((r) => [r.actorId, r.before, r.after])).toEqual(
      expect.arrayContaining([
        [
          admin.user.id,
          { currency: "GBP", availableMinor: 0 },
          { currency: "GBP", availableMinor: 2500, amountMinor: 2500, reason: "Missed session pay" },
        ],
        [
          admin.user.id,
          { currency: "GBP", availableMinor: 2500 },
          { currency: "GBP", availableMinor: 1500, amountMinor: -1000, reason: "Overpaid" },
        ],
      ]),
    );
    expect(await teacher.agent.trpc.wallet.summary.query()).toEqual([
      { currency: "GBP", availableMinor: 1500, pendingMinor: 0, earnedThisMonthMinor: 0 },
    ]);
    const history = await teacher.agent.trpc.wallet.history.query({ kind: "adjustment" });
    expect(history.items.map((e) => [e.description, e.amountMinor])).toEqual([
      ["Overpaid", -1000],
      ["Missed session pay", 2500],
    ]);
    await expectLedgerSound();
  });

  it("refuses a debit beyond the available balance with 409 INSUFFICIENT_FUNDS, writing nothing", async () => {
    const teacher = await person(t, "teacher");
    const id = teacher.user.id;
    await earn(id, 1000);
    await t.db.transaction((tx) =>
      post(tx, holdWithdrawal({ ownerId: id, currency: "USD", amount: 400 }, withdrawalMemo())),
    );
    // 600 available: the 400 held for a withdrawal cannot be taken.
    const refused = await trpcError(
      withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
        userId: id,
        currency: "USD",
        amount: -601,
        reason: "Too much",
      }),
    );
    expect(refused).toMatchObject({ status: 409, appCode: "INSUFFICIENT_FUNDS" });
    const noWallet = await trpcError(
      admin.agent.trpc.admin.wallets.adjust.mutate({ userId: id, currency: "EUR", amount: -1, reason: "No wallet" }),
    );
    expect(noWallet).toMatchObject({ status: 409, appCode: "INSUFFICIENT_FUNDS" });
    expect(await adjustments(id)).toBe(0);
    expect(await auditRows(id)).toEqual([]);

    // Two debits of the whole balance at once: the wallet row lock lets exactly one through.
    const results = await Promise.allSettled(
      [1, 2].map(() =>
        withKey(admin.agent, newKey()).admin.wallets.adjust.mutate({
          userId: id,
          currency: "USD",
          amount: -600,
          reason: "Race",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [rejected] = results.filter((r) => r.status === "rejected");
    expect(await trpcError(Promise.reject((rejected as PromiseRejectedResult).reason))).toMatchObject({
      appCode: "INSUFFICIENT_FUNDS",
    });
    expect(await teacher.agent.trpc.wallet.summary.query()).toMatchObject([{ availableMinor: 0, pendingMinor: 400 }]);
    await expectLedgerSound();
  });

  it("refuses bad input: zero, beyond the currency's bound, no reason, an unknown user", async () => {
    const teacher = await person(t, "teacher");
    for (const bad of [
      { amount: 0, reason: "Zero" },
      { amount: 10_000_001, reason: "Too large for USD" },
      { amount: 12.5, reason: "Fraction" },
      { amount: 100, reason: "  " },
    ]) {
      const error = await trpcError(
        admin.agent.trpc.admin.wallets.adjust.mutate({ userId: teacher.user.id, currency: "USD", ...bad }),
      );
      expect(error, bad.reason).toMatchObject({ status: 400, appCode: "VALIDATION_FAILED" });
    }
    // The bound is per currency: naira amounts are larger.
    await admin.agent.trpc.admin.wallets.adjust.mutate({
      userId: teacher.user.id,
      currency: "NGN",
      amount: 10_000_001,
      reason: "Naira",
    });
    const unknown = await trpcError(
      admin.agent.trpc.admin.wallets.adjust.mutate({ userId: "nobody", currency: "USD", amount: 1, reason: "Ghost" }),
    );
    expect(unknown).toMatchObject({ status: 404, appCode: "USER_NOT_FOUND" });
  });

  it("adjust is idempotent: a retry replays, another body is 422, a duplicate while the first runs is 409", async () => {
    const teacher = await person(t, "teacher");
    const id = teacher.user.id;
    const key = newKey();
    const input = { userId: id, currency: "EUR" as const, amount: 700, reason: "Bonus" };
    const first = await withKey(admin.agent, key).admin.wallets.adjust.mutate(input);
    expect(await withKey(admin.agent, key).admin.wallets.adjust.mutate(input)).toEqual(first);
    expect(await adjustments(id)).toBe(1);
    expect(await auditRows(id)).toHaveLength(1);

    const reused = await trpcError(withKey(admin.agent, key).admin.wallets.adjust.mutate({ ...input, amount: 701 }));
    expect(reused).toMatchObject({ status: 422, appCode: "IDEMPOTENCY_KEY_REUSED" });

    // Hold the next request inside its transaction (its audit row waits for this lock).
    const second = newKey();
    const blocker = await t.database.pool.connect();
    try {
      await blocker.query("begin");
      await blocker.query("lock table audit_log in share mode");
      const running = withKey(admin.agent, second).admin.wallets.adjust.mutate(input);
      await expect
        .poll(
          async () =>
            (await t.db.select().from(schema.idempotencyKeys).where(eq(schema.idempotencyKeys.key, second))).length,
          { timeout: 4000 },
        )
        .toBe(1);
      const duplicate = await trpcError(withKey(admin.agent, second).admin.wallets.adjust.mutate(input));
      expect(duplicate).toMatchObject({ status: 409, appCode: "IDEMPOTENCY_IN_PROGRESS" });
      await blocker.query("commit");
      const done = await running;
      expect(await withKey(admin.agent, second).admin.wallets.adjust.mutate(input)).toEqual(done);
    } finally {
      await blocker.query("rollback").catch(() => {});
      blocker.release();
    }
    expect(await adjustments(id)).toBe(2);
    expect(await teacher.agent.trpc.wallet.summary.query()).toMatchObject([{ currency: "EUR", availableMinor: 1400 }]);
    await expectLedgerSound();
  });
});
