import { adminProcedure, router } from "../../trpc.ts";
import * as health from "./health.ts";

/** Admin: the ledger's health (the latest drift check and totals). Mounted under admin.* */
export const adminLedgerProcedures = {
  ledger: router({
    health: adminProcedure.query(({ ctx }) => health.ledgerHealth(ctx.db)),
  }),
};
