import {
  CreatePackInput,
  CreditBalanceOutput,
  CreditHistoryOutput,
  GrantPackInput,
  LearnerCreditsInput,
  PageInput,
  SetPackActiveInput,
  UpdatePackInput,
} from "@lectern/api-contract";
import { rest } from "../../http/openapi-meta.ts";
import { adminProcedure, authedProcedure, idempotent, router } from "../../trpc.ts";
import * as credits from "./credits.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/** The caller's own credits, and the packs on offer. Mounted under credits.* */
export const creditsProcedures = {
  balance: authedProcedure
    .meta(rest({ method: "GET", path: "/credits/balance", summary: "My credits, lot by lot", errors: [401] }))
    .output(CreditBalanceOutput)
    .query(({ ctx }) => credits.creditBalance(ctx.db, ctx.user.id)),
  history: authedProcedure
    .meta(rest({ method: "GET", path: "/credits/history", summary: "My credit movements", errors: [400, 401] }))
    .input(PageInput)
    .output(CreditHistoryOutput)
    .query(({ ctx, input }) => credits.creditHistory(ctx.db, ctx.user.id, input)),
  packs: authedProcedure.query(({ ctx }) => credits.listActivePacks(ctx.db)),
};

/** Admin: credit packs and grants. Mounted under admin.* */
export const adminCreditsProcedures = {
  packs: router({
    list: adminProcedure.query(({ ctx }) => credits.listPacks(ctx.db)),
    create: adminProcedure
      .input(CreatePackInput)
      .mutation(({ ctx, input }) => credits.createPack(ctx.db, actor(ctx), input)),
    update: adminProcedure
      .input(UpdatePackInput)
      .mutation(({ ctx, input }) => credits.updatePack(ctx.db, actor(ctx), input)),
    setActive: adminProcedure
      .input(SetPackActiveInput)
      .mutation(({ ctx, input }) => credits.setPackActive(ctx.db, actor(ctx), input.packId, input.active)),
  }),
  credits: router({
    grant: adminProcedure
      .input(GrantPackInput)
      .use(idempotent)
      .mutation(({ ctx, input }) => credits.grantPack(ctx.db, actor(ctx), input)),
    forLearner: adminProcedure
      .input(LearnerCreditsInput)
      .query(({ ctx, input }) => credits.creditsForLearner(ctx.db, input.learnerId, input)),
  }),
};
