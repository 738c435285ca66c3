import type { DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { CREDIT, platformAccount, transfer } from "./service.ts";

export interface GrantCredits {
  learnerId: string;
  sessions: number;
  validityDays: number;
  packId?: string | null;
  grantedBy?: string | null;
  /** for tests and imports; defaults to now */
  now?: Date;
}

/**
 * Opens a credit lot (its own ledger account, with an expiry) and issues its credits into it, in
 * the caller's transaction.
 */
export async function openCreditLot(tx: DbOrTx, grant: GrantCredits) {
  const now = grant.now ?? new Date();
  const expiresAt = new Date(now.getTime() + grant.validityDays * 24 * 60 * 60 * 1000);
  const [account] = await tx
    .insert(schema.ledgerAccounts)
    .values({ ownerId: grant.learnerId, kind: "credit_lot", currency: CREDIT })
    .returning({ id: schema.ledgerAccounts.id });
  if (!account) throw new Error("credit lot account insert returned nothing");
  const [lot] = await tx
    .insert(schema.creditLots)
    .values({
      learnerId: grant.learnerId,
      packId: grant.packId ?? null,
      accountId: account.id,
      sessions: grant.sessions,
      expiresAt,
      grantedBy: grant.grantedBy ?? null,
    })
    .returning();
  if (!lot) throw new Error("credit lot insert returned nothing");
  await transfer(tx, await platformAccount(tx, "credit_issuance", CREDIT), account.id, grant.sessions, CREDIT, {
    kind: "credit.grant",
    description: `${grant.sessions} session credits`,
    actorId: grant.grantedBy ?? null,
    reference: { type: "credit_lot", id: lot.id },
  });
  return lot;
}
