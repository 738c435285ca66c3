// Migration 0008 on a database that already has a ledger: platform accounts created at runtime get
// their fixed ids with their history, and credits held in the shared credit_reserved row move to
// each learner's credit_held account, with every invariant intact.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createDatabase } from "@lectern/db";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CREDIT, systemAccountId } from "./accounts.ts";
import { balanceDrift, ledgerTotals, unbalancedTransactions } from "./service.ts";

const migrations = new URL("../../../../../packages/db/migrations/", import.meta.url).pathname;

async function apply(client: pg.Client, tag: string) {
  const text = await readFile(join(migrations, `${tag}.sql`), "utf8");
  for (const statement of text.split("--> statement-breakpoint")) if (statement.trim()) await client.query(statement);
}

const { adminUrl } = inject("pg");
const name = `lectern_m0008_${Math.random().toString(16).slice(2, 10)}`;
const url = new URL(adminUrl);
url.pathname = `/${name}`;
let client: pg.Client;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const journal = JSON.parse(await readFile(join(migrations, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  for (const { tag } of journal.entries.filter((e) => e.tag < "0008")) await apply(client, tag);
  // The old world: platform accounts made on first use, two booked sessions holding a credit each
  // in credit_reserved, one teacher paid.
  await client.query(`
    insert into users (id, name, email) values ('l1', 'L1', 'l1@x.test'), ('l2', 'L2', 'l2@x.test'), ('t1', 'T1', 't1@x.test');
    insert into ledger_accounts (id, kind, currency, allow_negative) values
      ('10000000-0000-4000-8000-000000000001', 'credit_issuance', 'CREDIT', true),
      ('10000000-0000-4000-8000-000000000002', 'credit_reserved', 'CREDIT', false),
      ('10000000-0000-4000-8000-000000000003', 'payroll_expense', 'USD', true);
    insert into ledger_accounts (id, owner_id, kind, currency) values
      ('20000000-0000-4000-8000-000000000001', 'l1', 'credit_lot', 'CREDIT'),
      ('20000000-0000-4000-8000-000000000002', 'l2', 'credit_lot', 'CREDIT'),
      ('20000000-0000-4000-8000-000000000003', 't1', 'wallet', 'USD');
    insert into credit_lots (id, learner_id, account_id, sessions, expires_at) values
      ('30000000-0000-4000-8000-000000000001', 'l1', '20000000-0000-4000-8000-000000000001', 3, now() + interval '90 days'),
      ('30000000-0000-4000-8000-000000000002', 'l2', '20000000-0000-4000-8000-000000000002', 2, now() + interval '90 days');
    insert into ledger_transactions (id, kind, description) values
      ('40000000-0000-4000-8000-000000000001', 'credit.grant', 'g1'),
      ('40000000-0000-4000-8000-000000000002', 'credit.grant', 'g2'),
      ('40000000-0000-4000-8000-000000000003', 'credit.reserve', 'r1'),
      ('40000000-0000-4000-8000-000000000004', 'credit.reserve', 'r2'),
      ('40000000-0000-4000-8000-000000000005', 'earnings.post', 'e1');
    insert into ledger_entries (transaction_id, account_id, amount, currency) values
      ('40000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', 3, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', -3, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000002', 2, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', -2, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000001', -1, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000002', 1, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000002', -1, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000002', 1, 'CREDIT'),
      ('40000000-0000-4000-8000-000000000005', '20000000-0000-4000-8000-000000000003', 2000, 'USD'),
      ('40000000-0000-4000-8000-000000000005', '10000000-0000-4000-8000-000000000003', -2000, 'USD');
    insert into tutoring_sessions (teacher_id, learner_id, starts_at, ends_at, duration_minutes, hourly_rate_minor,
      rate_currency, credit_outcome, credit_lot_id, credits) values
      ('t1', 'l1', now() + interval '2 days', now() + interval '2 days 1 hour', 60, 2000, 'USD', 'reserved', '30000000-0000-4000-8000-000000000001', 1),
      ('t1', 'l2', now() + interval '3 days', now() + interval '3 days 1 hour', 60, 2000, 'USD', 'reserved', '30000000-0000-4000-8000-000000000002', 1);
  `);
  await client.query("begin");
  await apply(client, "0008_ledger_core");
  await client.query("commit");
});

afterAll(async () => {
  await client?.end();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe("migration 0008 on an existing ledger", () => {
  it("keeps every credit and every cent where it was, with held credits per learner", async () => {
    const database = createDatabase(url.toString(), { max: 1 });
    try {
      const { db } = database;
      const held = await db.execute<{ owner_id: string; balance: string }>(
        sql`select owner_id, balance::text from ledger_accounts where kind = 'credit_held' order by owner_id`,
      );
      expect(held.rows).toEqual([
        { owner_id: "l1", balance: "1" },
        { owner_id: "l2", balance: "1" },
      ]);
      const system = await db.execute<{ id: string; balance: string }>(
        sql`select id, balance::text from ledger_accounts where owner_id is null and balance <> 0`,
      );
      expect(system.rows).toEqual([]);
      // The runtime-made accounts now have the fixed ids, with their history.
      const nets = await db.execute<{ account_id: string; net: string }>(
        sql`select account_id, sum(amount)::text as net from ledger_entries group by account_id`,
      );
      const net = Object.fromEntries(nets.rows.map((r) => [r.account_id, r.net]));
      expect(net[systemAccountId("credit_issuance", CREDIT)]).toBe("-5");
      expect(net[systemAccountId("payroll_expense", "USD")]).toBe("-2000");
      expect(net["10000000-0000-4000-8000-000000000002"]).toBe("0");
      expect(await balanceDrift(db)).toEqual([]);
      expect(await unbalancedTransactions(db)).toEqual([]);
      const totals = await ledgerTotals(db);
      expect(totals.find((t) => t.currency === CREDIT)).toMatchObject({ users: 5, system: { credit_issuance: -5 } });
      expect(totals.find((t) => t.currency === "USD")).toMatchObject({
        users: 2000,
        system: { payroll_expense: -2000 },
      });
    } finally {
      await database.close();
    }
  });
});
