import {
  AdjustWalletInput,
  AdminWalletGetInput,
  AdminWalletsListInput,
  EarningsByMonthInput,
  WalletCsvInput,
  WalletHistoryInput,
} from "@lectern/api-contract";
import { adminProcedure, authedProcedure, idempotent } from "../../trpc.ts";
import * as admin from "./admin.ts";
import { walletCsv } from "./csv.ts";
import * as wallet from "./service.ts";

/** The caller as the wallet service needs them: months are counted in their own time zone. */
const owner = (ctx: { user: { id: string; timezone?: string | null } }) => ({
  id: ctx.user.id,
  timezone: ctx.user.timezone ?? "UTC",
});
const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/**
 * The caller's own wallets: balances, history, CSV, earnings chart. Mounted under wallet.* Anyone
 * signed in may ask; someone without a wallet (a learner) gets empty answers, never another's.
 */
export const walletProcedures = {
  summary: authedProcedure.query(({ ctx }) => wallet.walletSummary(ctx.db, owner(ctx))),
  history: authedProcedure
    .input(WalletHistoryInput)
    .query(({ ctx, input }) => wallet.walletHistory(ctx.db, ctx.user.id, input)),
  csv: authedProcedure.input(WalletCsvInput).query(({ ctx, input }) => walletCsv(ctx.db, ctx.user.id, input)),
  earningsByMonth: authedProcedure
    .input(EarningsByMonthInput)
    .query(({ ctx, input }) => wallet.earningsByMonth(ctx.db, owner(ctx), input)),
};

/** Admin: wallets and audited adjustments. Mounted under admin.wallets.* */
export const adminWalletsProcedures = {
  list: adminProcedure.input(AdminWalletsListInput).query(({ ctx, input }) => admin.listWallets(ctx.db, input)),
  get: adminProcedure.input(AdminWalletGetInput).query(({ ctx, input }) => admin.getWallet(ctx.db, input)),
  /** The only way besides earnings and sales that credits a wallet. */
  adjust: adminProcedure
    .input(AdjustWalletInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => admin.adjustUserWallet(ctx.db, actor(ctx), input)),
};
