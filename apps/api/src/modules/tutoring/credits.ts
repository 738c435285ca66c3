import {
  type AuditAction,
  type CreatePackInput,
  type GrantPackInput,
  type PackPrices,
  type PageInput,
  TUTORING_POLICY,
  type UpdatePackInput,
} from "@lectern/api-contract";
import type { Db, DbOrTx } from "@lectern/db";
import { plainRow, schema } from "@lectern/db";
import { and, asc, count, desc, eq, gt, lte, or, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import { normalizeRole } from "../account/service.ts";
import type { AdminActor } from "../admin/users.ts";
import { recordAudit } from "../audit/service.ts";
import { expireCredits, issueCredits, returnCredit } from "../ledger/recipes.ts";
import { CREDIT, lockHeldCredits, openCreditLotAccount, post } from "../ledger/service.ts";

const { creditLots, creditPacks, ledgerAccounts, users } = schema;

export interface GrantCredits {
  learnerId: string;
  sessions: number;
  validityDays: number;
  /** what one credit of the lot pays for; the pack's session length (default 60) */
  sessionMinutes?: number;
  packId?: string | null;
  grantedBy?: string | null;
  /** what the learner's history says; defaults to "N session credits" */
  description?: string;
  /** for tests and imports; defaults to now */
  now?: Date;
}

/**
 * Opens a credit lot (its own ledger account, with an expiry) and issues its credits into it, in
 * the caller's transaction.
 */
export async function openCreditLot(tx: DbOrTx, grant: GrantCredits) {
  const now = grant.now ?? new Date();
  const lot = await insertLot(tx, {
    learnerId: grant.learnerId,
    packId: grant.packId ?? null,
    sessions: grant.sessions,
    sessionMinutes: grant.sessionMinutes ?? TUTORING_POLICY.defaultSessionMinutes,
    expiresAt: new Date(now.getTime() + grant.validityDays * DAY_MS),
    grantedBy: grant.grantedBy ?? null,
  });
  await post(
    tx,
    issueCredits(lot.accountId, grant.sessions, {
      description: grant.description ?? `${grant.sessions} session credits`,
      actorId: grant.grantedBy ?? null,
      reference: { type: "credit_lot", id: lot.id },
    }),
  );
  return lot;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A new, empty lot with its own ledger account (and the learner's held-credit account, on their first lot). */
async function insertLot(
  tx: DbOrTx,
  lot: Pick<
    typeof creditLots.$inferSelect,
    "learnerId" | "packId" | "sessions" | "sessionMinutes" | "expiresAt" | "grantedBy"
  >,
) {
  const accountId = await openCreditLotAccount(tx, lot.learnerId);
  const lotRow = await LOT_ROW.first(tx, INSERT_LOT, [
    lot.learnerId,
    lot.packId,
    accountId,
    lot.sessions,
    lot.sessionMinutes,
    lot.expiresAt,
    lot.grantedBy,
  ]);
  if (!lotRow) throw new Error("credit lot insert returned nothing");
  return lotRow;
}

// Every grant and purchase opens a lot: a named statement, built once.
const LOT_ROW = plainRow(creditLots);
const INSERT_LOT = {
  name: "credit_lots_insert",
  text: `insert into credit_lots (learner_id, pack_id, account_id, sessions, session_minutes, expires_at, granted_by)
    values ($1, $2, $3, $4, $5, $6, $7) returning ${LOT_ROW.columns}`,
};

export interface CreditReturn {
  /** the lot the credits were reserved from */
  lotId: string;
  credits: number;
  description: string;
  actorId: string | null;
  reference: { type: string; id: string };
  now: Date;
  /** guarantee the returned credits stay usable at least this many days from `now` */
  minValidityDays?: number;
}

/**
 * Where credits coming back to a learner go: the lot they came from or, when a validity is
 * guaranteed and that lot has expired or ends sooner, a new lot (same pack and session length) that
 * expires then. Takes the learner's held account first (the posting that follows locks the lot), as
 * every credit path does.
 */
export async function lotReceivingReturn(
  tx: DbOrTx,
  r: Pick<CreditReturn, "lotId" | "credits" | "actorId" | "now" | "minValidityDays">,
) {
  const [lot] = await tx.select().from(creditLots).where(eq(creditLots.id, r.lotId));
  if (!lot) throw new Error(`credit lot ${r.lotId} missing`);
  await lockHeldCredits(tx, lot.learnerId);
  const validUntil = r.minValidityDays === undefined ? null : new Date(r.now.getTime() + r.minValidityDays * DAY_MS);
  const target =
    validUntil && lot.expiresAt < validUntil
      ? await insertLot(tx, {
          learnerId: lot.learnerId,
          packId: lot.packId,
          sessions: r.credits,
          sessionMinutes: lot.sessionMinutes,
          expiresAt: validUntil,
          grantedBy: r.actorId,
        })
      : lot;
  return { lot, target };
}

/**
 * Moves held (reserved) credits back to the learner: into the lot they came from, or, when a validity is
 * guaranteed and that lot has expired or ends sooner, into a new lot (same pack and session
 * length) that expires then. Either way in the caller's transaction, so the expiry sweep can never
 * take a credit that was just returned. Returns the lot that received them.
 */
export async function returnReservedCredits(tx: DbOrTx, r: CreditReturn) {
  const { lot, target } = await lotReceivingReturn(tx, r);
  await post(
    tx,
    returnCredit(
      { learnerId: lot.learnerId, lotAccountId: target.accountId, credits: r.credits },
      {
        description: r.description,
        actorId: r.actorId,
        reference: r.reference,
        metadata: target.id === lot.id ? undefined : { fromLotId: lot.id, expiresAt: target.expiresAt.toISOString() },
      },
    ),
  );
  return target;
}

// Packs

/** What a learner choosing a pack sees of it. */
const choiceColumns = {
  id: creditPacks.id,
  name: creditPacks.name,
  sessions: creditPacks.sessions,
  sessionMinutes: creditPacks.sessionMinutes,
  validityDays: creditPacks.validityDays,
  prices: creditPacks.prices,
};

const packColumns = {
  ...choiceColumns,
  active: creditPacks.active,
  createdAt: creditPacks.createdAt,
  updatedAt: creditPacks.updatedAt,
};

type PackRow = typeof creditPacks.$inferSelect;
const packFields = (
  p: Pick<PackRow, "name" | "sessions" | "sessionMinutes" | "validityDays" | "prices" | "active">,
) => ({
  name: p.name,
  sessions: p.sessions,
  sessionMinutes: p.sessionMinutes,
  validityDays: p.validityDays,
  prices: p.prices as PackPrices,
  active: p.active,
});

/** Every pack, active first, with how many lots were granted from it (admins). */
export async function listPacks(db: Db) {
  const grants = db
    .select({ packId: creditLots.packId, lots: count().as("lots") })
    .from(creditLots)
    .groupBy(creditLots.packId)
    .as("grants");
  const rows = await db
    .select({ ...packColumns, lotsGranted: sql<number>`coalesce(${grants.lots}, 0)::int` })
    .from(creditPacks)
    .leftJoin(grants, eq(grants.packId, creditPacks.id))
    .orderBy(desc(creditPacks.active), asc(creditPacks.sessions), asc(creditPacks.name), asc(creditPacks.id));
  return rows.map((r) => ({ ...r, prices: r.prices as PackPrices }));
}

/** What learners can choose from: active packs with their prices. */
export async function listActivePacks(db: Db) {
  const rows = await db
    .select(choiceColumns)
    .from(creditPacks)
    .where(eq(creditPacks.active, true))
    .orderBy(asc(creditPacks.sessions), asc(creditPacks.name), asc(creditPacks.id));
  return rows.map((r) => ({ ...r, prices: r.prices as PackPrices }));
}

async function requirePack(db: DbOrTx, packId: string) {
  const [pack] = await db.select(packColumns).from(creditPacks).where(eq(creditPacks.id, packId));
  if (!pack) throw new AppError("PACK_NOT_FOUND", "No credit pack with that id");
  return { ...pack, prices: pack.prices as PackPrices };
}

export async function createPack(db: Db, actor: AdminActor, input: CreatePackInput) {
  const id = await db.transaction(async (tx) => {
    const [pack] = await tx.insert(creditPacks).values(input).returning();
    if (!pack) throw new Error("pack insert returned nothing");
    await recordAudit(tx, {
      actorId: actor.id,
      action: "credit_pack.create",
      targetType: "credit_pack",
      targetId: pack.id,
      after: packFields(pack),
      ipAddress: actor.ip,
    });
    return pack.id;
  });
  return requirePack(db, id);
}

/** Changes apply to later grants; lots already granted keep their sessions and expiry. */
export async function updatePack(db: Db, actor: AdminActor, input: UpdatePackInput) {
  const { packId, ...fields } = input;
  await changePack(db, actor, packId, "credit_pack.update", fields);
  return requirePack(db, packId);
}

/** Packs are never deleted (lots point at them); a retired pack is inactive. */
export async function setPackActive(db: Db, actor: AdminActor, packId: string, active: boolean) {
  await changePack(db, actor, packId, active ? "credit_pack.activate" : "credit_pack.deactivate", { active });
  return requirePack(db, packId);
}

async function changePack(
  db: Db,
  actor: AdminActor,
  packId: string,
  action: AuditAction,
  fields: Partial<Omit<PackRow, "id" | "createdAt" | "updatedAt">>,
) {
  await db.transaction(async (tx) => {
    const [current] = await tx.select().from(creditPacks).where(eq(creditPacks.id, packId)).for("update");
    if (!current) throw new AppError("PACK_NOT_FOUND", "No credit pack with that id");
    const before = packFields(current);
    const after = packFields({ ...current, ...fields });
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await tx
      .update(creditPacks)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(creditPacks.id, packId));
    await recordAudit(tx, {
      actorId: actor.id,
      action,
      targetType: "credit_pack",
      targetId: packId,
      before,
      after,
      ipAddress: actor.ip,
    });
  });
}

// Grants

/** An admin gives a learner an active pack now: a new lot, its credits issued, audited, in one transaction. */
export async function grantPack(db: Db, actor: AdminActor, input: GrantPackInput) {
  const lotId = await db.transaction(async (tx) => {
    const [learner] = await tx
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(eq(users.id, input.learnerId))
      .for("share");
    if (!learner || normalizeRole(learner.role) !== "learner")
      throw new AppError("LEARNER_NOT_FOUND", "No learner with that id");
    const [pack] = await tx.select().from(creditPacks).where(eq(creditPacks.id, input.packId)).for("share");
    if (!pack?.active) throw new AppError("PACK_NOT_FOUND", "No active credit pack with that id");
    const lot = await openCreditLot(tx, {
      learnerId: learner.id,
      sessions: pack.sessions,
      validityDays: pack.validityDays,
      sessionMinutes: pack.sessionMinutes,
      packId: pack.id,
      grantedBy: actor.id,
      description: `${pack.name}: ${pack.sessions} session credits`,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "credit.grant",
      targetType: "user",
      targetId: learner.id,
      after: {
        lotId: lot.id,
        packId: pack.id,
        packName: pack.name,
        sessions: lot.sessions,
        sessionMinutes: lot.sessionMinutes,
        expiresAt: lot.expiresAt,
      },
      ipAddress: actor.ip,
    });
    return lot.id;
  });
  const balance = await creditBalance(db, input.learnerId);
  const lot = balance.lots.find((l) => l.id === lotId);
  if (!lot) throw new Error("granted lot missing");
  return lot;
}

// Balance and history

/**
 * The learner's credits per lot: what is left in each (its account's balance), how many of its
 * credits are held by booked sessions, and whether it has expired. Only unexpired lots count
 * towards `totalAvailable`; a lot is expired from its `expiresAt` on, even before the sweep empties it.
 */
export async function creditBalance(db: DbOrTx, learnerId: string, now = new Date()) {
  const rows = await db
    .select({
      id: creditLots.id,
      packId: creditLots.packId,
      packName: creditPacks.name,
      sessions: creditLots.sessions,
      sessionMinutes: creditLots.sessionMinutes,
      remaining: ledgerAccounts.balance,
      reserved: sql<number>`(select coalesce(sum(s.credits), 0)::int from ${schema.tutoringSessions} s
        where s.credit_lot_id = ${creditLots.id} and s.credit_outcome = 'reserved')`,
      expiresAt: creditLots.expiresAt,
      expiredAt: creditLots.expiredAt,
      grantedAt: creditLots.createdAt,
    })
    .from(creditLots)
    .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, creditLots.accountId))
    .leftJoin(creditPacks, eq(creditPacks.id, creditLots.packId))
    .where(eq(creditLots.learnerId, learnerId))
    .orderBy(asc(creditLots.expiresAt), asc(creditLots.id));
  const lots = rows.map((r) => ({ ...r, expired: r.expiresAt <= now }));
  const totalAvailable = lots.reduce((sum, l) => (l.expired ? sum : sum + l.remaining), 0);
  return { currency: CREDIT, totalAvailable, lots };
}

/**
 * Every credit movement of the learner, newest first: ledger transactions that touch one of their
 * lots (grant, reserve, refund, expire), and the credit transactions of their sessions that do
 * not (consume, forfeit: the credit left the lot when it was reserved). `amount` is the change to
 * the learner's lots (0 for those); `credits` is how many credits the transaction moved. Movements
 * in one database transaction share a time and keep the order they were written in.
 */
export async function creditHistory(db: DbOrTx, learnerId: string, input: PageInput) {
  const mine = sql`
    with lot_tx as (
      select e.transaction_id, sum(e.amount)::bigint as amount, (array_agg(l.id))[1] as lot_id, max(e.id) as seq
      from ${creditLots} l join ${schema.ledgerEntries} e on e.account_id = l.account_id
      where l.learner_id = ${learnerId}
      group by e.transaction_id
    ), session_tx as (
      select t.id as transaction_id, 0::bigint as amount, s.credit_lot_id as lot_id,
        (select max(e.id) from ${schema.ledgerEntries} e where e.transaction_id = t.id) as seq
      from ${schema.tutoringSessions} s
      join ${schema.ledgerTransactions} t on t.reference_type = 'tutoring_session' and t.reference_id = s.id::text
      where s.learner_id = ${learnerId}
        and not exists (select 1 from lot_tx where lot_tx.transaction_id = t.id)
        and exists (select 1 from ${schema.ledgerEntries} e where e.transaction_id = t.id and e.currency = ${CREDIT})
    )
    select * from lot_tx union all select * from session_tx`;
  const offset = (input.page - 1) * input.pageSize;
  const page = await db.execute<{
    transaction_id: string;
    kind: string;
    description: string;
    reference_type: string | null;
    reference_id: string | null;
    created_at: string | Date;
    amount: string;
    credits: string;
    lot_id: string | null;
    pack_name: string | null;
  }>(sql`
      select m.transaction_id, t.kind, t.description, t.reference_type, t.reference_id, t.created_at,
        m.amount::text, m.lot_id, p.name as pack_name,
        (select coalesce(sum(e.amount), 0) from ${schema.ledgerEntries} e
          where e.transaction_id = t.id and e.currency = ${CREDIT} and e.amount > 0)::text as credits
      from (${mine}) m
      join ${schema.ledgerTransactions} t on t.id = m.transaction_id
      left join ${creditLots} l on l.id = m.lot_id
      left join ${creditPacks} p on p.id = l.pack_id
      order by t.created_at desc, m.seq desc
      limit ${input.pageSize} offset ${offset}`);
  const total = await pageTotal(page.rows.length, input.pageSize, offset, async () => {
    const counted = await db.execute<{ total: number }>(sql`select count(*)::int as total from (${mine}) m`);
    return counted.rows[0]?.total ?? 0;
  });
  const items = page.rows.map((r) => ({
    transactionId: r.transaction_id,
    kind: r.kind,
    description: r.description,
    amount: Number(r.amount),
    credits: Number(r.credits),
    lotId: r.lot_id,
    packName: r.pack_name,
    reference: r.reference_type && r.reference_id ? { type: r.reference_type, id: r.reference_id } : null,
    createdAt: new Date(r.created_at),
  }));
  return { items, total, page: input.page, pageSize: input.pageSize };
}

/** An admin's view of one user's credits: the same balance and history the learner sees. */
export async function creditsForLearner(db: Db, learnerId: string, input: PageInput) {
  const [learner] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(eq(users.id, learnerId));
  if (!learner) throw new AppError("LEARNER_NOT_FOUND", "No learner with that id");
  const [balance, history] = await Promise.all([creditBalance(db, learnerId), creditHistory(db, learnerId, input)]);
  return { learner: { ...learner, role: normalizeRole(learner.role) }, balance, history };
}

// Expiry

export interface ExpirySweep {
  /** lots emptied by this sweep */
  lots: number;
  /** credits moved to credit_expired */
  credits: number;
}

const SWEEP_BATCH = 200;

/**
 * Moves what is left in every lot past its expiry into the platform's credit_expired account, one
 * transaction (and one audit row) per lot. Lots are chosen by balance, not by `expiredAt`, so a
 * refund that lands in an already expired lot is expired by the next sweep too. A lot another
 * transaction holds is skipped (the next sweep takes it); two sweeps at once expire each lot once.
 */
export async function expireCreditLots(db: Db, options: { now?: Date } = {}): Promise<ExpirySweep> {
  const now = options.now ?? new Date();
  const result: ExpirySweep = { lots: 0, credits: 0 };
  const due = and(lte(creditLots.expiresAt, now), gt(ledgerAccounts.balance, 0));
  let after: { expiresAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await db
      .select({ id: creditLots.id, expiresAt: creditLots.expiresAt })
      .from(creditLots)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, creditLots.accountId))
      .where(
        and(
          due,
          after
            ? or(
                gt(creditLots.expiresAt, after.expiresAt),
                and(eq(creditLots.expiresAt, after.expiresAt), gt(creditLots.id, after.id)),
              )
            : undefined,
        ),
      )
      .orderBy(asc(creditLots.expiresAt), asc(creditLots.id))
      .limit(SWEEP_BATCH);
    for (const candidate of batch) {
      const credits = await expireLot(db, candidate.id, now);
      if (credits > 0) {
        result.lots += 1;
        result.credits += credits;
      }
    }
    if (batch.length < SWEEP_BATCH) return result;
    after = batch[batch.length - 1];
  }
}

/** Expires one lot if it is still due and nobody else holds it; returns the credits moved. */
async function expireLot(db: Db, lotId: string, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    // Locking the account row too keeps its balance still until commit: what is read is what moves.
    const [lot] = await tx
      .select({
        id: creditLots.id,
        learnerId: creditLots.learnerId,
        accountId: creditLots.accountId,
        expiresAt: creditLots.expiresAt,
        balance: ledgerAccounts.balance,
      })
      .from(creditLots)
      .innerJoin(ledgerAccounts, eq(ledgerAccounts.id, creditLots.accountId))
      .where(and(eq(creditLots.id, lotId), lte(creditLots.expiresAt, now), gt(ledgerAccounts.balance, 0)))
      .for("update", { skipLocked: true });
    if (!lot) return 0;
    await post(
      tx,
      expireCredits(lot.accountId, lot.balance, {
        description: `${lot.balance} unused session credits expired`,
        reference: { type: "credit_lot", id: lot.id },
        metadata: { expiresAt: lot.expiresAt.toISOString() },
      }),
    );
    await tx
      .update(creditLots)
      .set({ expiredAt: sql`coalesce(${creditLots.expiredAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(creditLots.id, lot.id));
    await recordAudit(tx, {
      actorId: null,
      action: "credit.expire",
      targetType: "user",
      targetId: lot.learnerId,
      before: { lotId: lot.id, remaining: lot.balance },
      after: { lotId: lot.id, remaining: 0 },
    });
    return lot.balance;
  });
}
