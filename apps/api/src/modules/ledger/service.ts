import { LEDGER_MAX_AMOUNT } from "@lectern/api-contract";
import { type DbOrTx, runStatement, type Statement, schema } from "@lectern/db";
import { and, eq, sql } from "drizzle-orm";
import { CREDIT, systemAccountId } from "./accounts.ts";
import type { Leg, Recipe } from "./recipes.ts";

const { ledgerAccounts, ledgerEntries } = schema;

export { CREDIT } from "./accounts.ts";

/**
 * A user's single account of a kind and currency (e.g. wallet in USD). Read first: the
 * insert (and its unique-index check) runs only the first time.
 */
export async function userAccount(tx: DbOrTx, ownerId: string, kind: string, currency: string): Promise<string> {
  const find = () =>
    tx
      .select({ id: ledgerAccounts.id })
      .from(ledgerAccounts)
      .where(
        and(eq(ledgerAccounts.ownerId, ownerId), eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.currency, currency)),
      );
  const [found] = await find();
  if (found) return found.id;
  await tx
    .insert(ledgerAccounts)
    .values({ ownerId, kind, currency })
    .onConflictDoNothing({
      target: [ledgerAccounts.ownerId, ledgerAccounts.kind, ledgerAccounts.currency],
      where: sql`${ledgerAccounts.ownerId} is not null and ${ledgerAccounts.kind} <> 'credit_lot'`,
    });
  const [row] = await find();
  if (!row) throw new Error(`account ${ownerId}/${kind}/${currency} missing`);
  return row.id;
}

/**
 * Opens the account of a new credit lot (one per grant or purchase), and the learner's held-credit
 * account in the same statement if they have none yet, so every credit path can lock that account
 * first (`lockHeldCredits`) from the first booking on. Returns the lot's account id.
 */
export async function openCreditLotAccount(tx: DbOrTx, learnerId: string): Promise<string> {
  const { rows } = await runStatement<{ id: string; kind: string }>(tx, OPEN_LOT_ACCOUNTS, [learnerId, CREDIT]);
  const account = rows.find((a) => a.kind === "credit_lot");
  if (!account) throw new Error("credit lot account insert returned nothing");
  return account.id;
}

// Every grant and purchase opens an account: a named statement, built once.
const OPEN_LOT_ACCOUNTS = {
  name: "ledger_open_lot_accounts",
  text: `insert into ledger_accounts (owner_id, kind, currency) values ($1, 'credit_lot', $2), ($1, 'credit_held', $2)
    on conflict (owner_id, kind, currency) where owner_id is not null and kind <> 'credit_lot' do nothing
    returning id, kind`,
};

/**
 * Locks the learner's held-credit account until the transaction ends. The lock order of every credit
 * path: the session row (if any), then this account, then lots (booking: the teacher's row, this
 * account, the paying lot), then teachers' wallets. Taken before a path writes anything, so two
 * paths for one learner queue here instead of deadlocking on the lot and held rows in opposite orders.
 * A learner without the account yet (no lot ever opened) has nothing to lock.
 */
export async function lockHeldCredits(tx: DbOrTx, learnerId: string) {
  await tx.execute(sql`select id from ${ledgerAccounts} where owner_id = ${learnerId} and kind = 'credit_held'
    and currency = ${CREDIT} for no key update`);
}

const accountOf = (tx: DbOrTx, leg: Leg): Promise<string> | string =>
  "accountId" in leg
    ? leg.accountId
    : "system" in leg
      ? systemAccountId(leg.system, leg.currency)
      : userAccount(tx, leg.owner, leg.kind, leg.currency);

/**
 * Posts one balanced ledger transaction (a recipe from recipes.ts): the only writer of entries.
 * User balances move by trigger in the same statement; an entry that would take a user's balance
 * below zero fails the whole posting. Call it last in the transaction: it locks the user's
 * accounts until commit.
 */
export async function post(tx: DbOrTx, recipe: Recipe): Promise<string> {
  const sums = new Map<string, number>();
  for (const e of recipe.entries) {
    // Amounts are bounded at the door (zod); one that is not is a bug, never a user's mistake.
    if (!Number.isSafeInteger(e.amount) || e.amount === 0 || Math.abs(e.amount) > LEDGER_MAX_AMOUNT)
      throw new Error(`bad ledger amount ${e.amount}`);
    sums.set(e.currency, (sums.get(e.currency) ?? 0) + e.amount);
  }
  for (const [currency, sum] of sums) if (sum !== 0) throw new Error(`ledger posting unbalanced in ${currency}`);
  // Usually one round trip, user accounts looked up inside the statement; only when one is missing
  // (its owner's first posting of that kind) are the accounts opened and the posting written again.
  const posted = await insertPosting(tx, recipe, recipe.entries.map(accountRef));
  if (posted) return posted;
  const accounts: AccountRef[] = [];
  for (const e of recipe.entries) accounts.push({ id: await accountOf(tx, e) });
  const retried = await insertPosting(tx, recipe, accounts);
  if (!retried) throw new Error("ledger posting wrote nothing");
  return retried;
}

/** A leg's account: a known id, or the user's account to look up inside the statement (none if not opened yet). */
type AccountRef = { id: string } | { owner: string; kind: string; currency: string };

const accountRef = (leg: Leg): AccountRef =>
  "accountId" in leg
    ? { id: leg.accountId }
    : "system" in leg
      ? { id: systemAccountId(leg.system, leg.currency) }
      : { owner: leg.owner, kind: leg.kind, currency: leg.currency };

/**
 * The transaction and its entries in ONE statement (the database checks the zero sum and moves
 * balances once per statement), written only if every account exists: null when one does not.
 */
async function insertPosting(tx: DbOrTx, recipe: Recipe, accounts: AccountRef[]): Promise<string | null> {
  const values: unknown[] = [
    recipe.kind,
    recipe.description,
    recipe.actorId ?? null,
    recipe.reference?.type ?? null,
    recipe.reference?.id ?? null,
    recipe.metadata ? JSON.stringify(recipe.metadata) : null,
  ];
  recipe.entries.forEach((e, i) => {
    const account = accounts[i];
    if (!account) throw new Error("a ledger leg without an account");
    if ("id" in account) values.push(account.id);
    else values.push(account.owner, account.kind, account.currency);
    values.push(e.amount, e.currency);
  });
  const { rows } = await runStatement<{ id: string }>(tx, postingStatement(accounts), values);
  return rows[0]?.id ?? null;
}

/** One named statement per shape of legs (which are known accounts, which are looked up). */
const postingStatements = new Map<string, Statement>();
function postingStatement(accounts: AccountRef[]): Statement {
  const shape = accounts.map((a) => ("id" in a ? "a" : "o")).join("");
  const name = `ledger_post_${shape}`;
  let statement = postingStatements.get(name);
  if (!statement) {
    let n = 6;
    const legs = accounts.map((a, i) => {
      const account =
        "id" in a
          ? `$${++n}::uuid`
          : `(select id from ledger_accounts where owner_id = $${++n} and kind = $${++n} and currency = $${++n})`;
      return `(${account}, $${++n}::bigint, $${++n}::text, ${i})`;
    });
    statement = {
      name,
      text: `with legs (account_id, amount, currency, ord) as (values ${legs.join(", ")}),
    t as (
      insert into ledger_transactions (kind, description, actor_id, reference_type, reference_id, metadata)
      select $1, $2, $3, $4, $5, $6::jsonb
      where not exists (select 1 from legs where account_id is null)
      returning id
    ),
    e as (
      insert into ledger_entries (transaction_id, account_id, amount, currency)
      select t.id, legs.account_id, legs.amount, legs.currency from t, legs order by legs.ord
    )
    select id from t`,
    };
    postingStatements.set(name, statement);
  }
  return statement;
}

/** Shorthand for a two-legged movement of `amount` between known accounts (tests and tools). */
export function transfer(
  tx: DbOrTx,
  from: string,
  to: string,
  amount: number,
  currency: string,
  memo: Omit<Recipe, "entries">,
): Promise<string> {
  return post(tx, {
    ...memo,
    entries: [
      { accountId: from, amount: -amount, currency },
      { accountId: to, amount, currency },
    ],
  });
}

/**
 * The credits a reference's transactions (e.g. a session's) left consumed: what reversing it gives
 * back. Here so domains ask the ledger instead of naming its system accounts.
 */
export async function consumedCredits(tx: DbOrTx, reference: { type: string; id: string }) {
  const { rows } = await tx.execute<{ n: string }>(sql`
    select coalesce(sum(e.amount), 0)::text as n from ${schema.ledgerEntries} e
    join ${schema.ledgerTransactions} t on t.id = e.transaction_id
    where t.reference_type = ${reference.type} and t.reference_id = ${reference.id}
      and e.account_id = ${systemAccountId("credit_consumed", CREDIT)}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * User-owned accounts whose cached balance differs from the sum of their entries: must always be
 * empty. (System accounts cache nothing: a CHECK keeps their balance at 0.)
 */
export async function balanceDrift(db: DbOrTx) {
  const result = await db.execute<{ account_id: string; balance: string; entries: string }>(sql`
    select a.id as account_id, a.balance::text, coalesce(sum(e.amount), 0)::text as entries
    from ${ledgerAccounts} a left join ${ledgerEntries} e on e.account_id = a.id
    where a.owner_id is not null
    group by a.id having a.balance <> coalesce(sum(e.amount), 0)`);
  return result.rows;
}

/** Ledger transactions whose entries do not sum to zero in some currency: must always be empty. */
export async function unbalancedTransactions(db: DbOrTx) {
  const result = await db.execute<{ transaction_id: string; currency: string }>(sql`
    select transaction_id, currency from ${ledgerEntries}
    group by transaction_id, currency having sum(amount) <> 0`);
  return result.rows;
}

/**
 * Per currency: what users hold (their cached balances) and the net of each system account (the
 * sum of its entries, since those are not cached). Everything sums to zero per currency.
 */
export async function ledgerTotals(db: DbOrTx) {
  const result = await db.execute<{ currency: string; users: string; kind: string | null; net: string | null }>(sql`
    with held as (
      select currency, sum(balance) as users from ${ledgerAccounts} where owner_id is not null group by currency
    ), system as (
      select a.currency, a.kind, sum(e.amount) as net
      from ${ledgerAccounts} a join ${ledgerEntries} e on e.account_id = a.id
      where a.owner_id is null group by a.currency, a.kind
    )
    select coalesce(h.currency, s.currency) as currency, coalesce(h.users, 0)::text as users, s.kind, s.net::text
    from held h full join system s on s.currency = h.currency
    order by 1, 3`);
  const totals = new Map<string, { currency: string; users: number; system: Record<string, number> }>();
  for (const r of result.rows) {
    const t = totals.get(r.currency) ?? { currency: r.currency, users: Number(r.users), system: {} };
    if (r.kind) t.system[r.kind] = Number(r.net);
    totals.set(r.currency, t);
  }
  return [...totals.values()];
}
