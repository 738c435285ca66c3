import {
  CreatePackInput,
  CreditBalanceOutput,
  CreditHistoryOutput,
  GrantPackInput,
  LearnerCreditsInput,
  ListTeachersInput,
  PageInput,
  PayrollRangeInput,
  SetPackActiveInput,
  SetTeacherRateInput,
  UpdatePackInput,
} from "@lectern/api-contract";
import { rest } from "../../http/openapi-meta.ts";
import { adminProcedure, authedProcedure, idempotent, router } from "../../trpc.ts";
import * as credits from "./credits.ts";
import * as health from "./health.ts";
import * as payroll from "./payroll.ts";

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

/** Admin: credit packs, grants, teacher rates, payroll, ledger health. Mounted under admin.* */
export const adminTutoringProcedures = {
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
  teachers: router({
    list: adminProcedure.input(ListTeachersInput).query(({ ctx, input }) => payroll.listTeachers(ctx.db, input)),
    setRate: adminProcedure
      .input(SetTeacherRateInput)
      .mutation(({ ctx, input }) => payroll.setTeacherRate(ctx.db, actor(ctx), input)),
  }),
  payroll: router({
    report: adminProcedure.input(PayrollRangeInput).query(({ ctx, input }) => payroll.payrollReport(ctx.db, input)),
    csv: adminProcedure.input(PayrollRangeInput).query(({ ctx, input }) => payroll.payrollCsv(ctx.db, input)),
  }),
  ledger: router({
    health: adminProcedure.query(({ ctx }) => health.ledgerHealth(ctx.db)),
  }),
};
