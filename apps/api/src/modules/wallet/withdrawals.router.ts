import {
  AddPayoutMethodInput,
  AdminListWithdrawalsInput,
  AdminWithdrawalIdInput,
  ConfirmWithdrawalInput,
  Currency,
  ListWithdrawalsInput,
  MarkFailedInput,
  MarkPaidInput,
  PayoutMethodIdInput,
  RejectWithdrawalInput,
  RequestWithdrawalInput,
  UpdateWithdrawalLimitsInput,
  WITHDRAWAL_POLICY,
  WithdrawalIdInput,
} from "@lectern/api-contract";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { adminProcedure, authedProcedure, idempotent, ownerOnlyProcedure, toTRPCError } from "../../trpc.ts";
import { enforceRateLimits, RateLimitedError } from "../payments/rate-limit.ts";
import * as limits from "./limits.ts";
import * as methods from "./payout-methods.ts";
// Also registers the payout providers' webhook handlers with the inbox.
import "./payouts.ts";
import * as withdrawals from "./withdrawals.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/**
 * The database outside the request: `idempotent` runs the procedure inside one transaction, and a
 * wrong code must be counted even though the refusal rolls that transaction back.
 */
const withRootDb = ownerOnlyProcedure.use(({ ctx, next }) => next({ ctx: { ...ctx, rootDb: ctx.db } }));

const HOUR = 3600;

/** Per-user and per-address budgets for withdrawal requests, spent before the request's transaction. */
const requestBudget = withRootDb.use(async ({ ctx, next }) => {
  try {
    await enforceRateLimits(ctx.rootDb, "withdrawal requests", [
      {
        key: `withdrawals:user:${ctx.user.id}`,
        budget: { max: WITHDRAWAL_POLICY.requestsPerUserPerHour, windowSeconds: HOUR },
      },
      ...(ctx.ip
        ? [
            {
              key: `withdrawals:ip:${ctx.ip}`,
              budget: { max: WITHDRAWAL_POLICY.requestsPerIpPerHour, windowSeconds: HOUR },
            },
          ]
        : []),
    ]);
  } catch (error) {
    if (error instanceof RateLimitedError) ctx.resHeaders.set("retry-after", String(error.retryAfterSeconds));
    throw error instanceof AppError ? toTRPCError(error) : error;
  }
  return next();
});

/** Payout methods and withdrawals. Mounted under withdrawals.*. */
export const withdrawalsProcedures = {
  methods: {
    list: authedProcedure.query(({ ctx }) => methods.listMethods(ctx.db, ctx.user.id)),
    /** The kinds a creator may add per currency here (depends on which provider keys are set). */
    available: authedProcedure.query(({ ctx }) =>
      Currency.options.map((currency) => ({ currency, kinds: methods.availableKinds(ctx.env, currency) })),
    ),
    add: ownerOnlyProcedure
      .input(AddPayoutMethodInput)
      .mutation(({ ctx, input }) => methods.addMethod(ctx.db, ctx.env, ctx.user, input)),
    /** A fresh Stripe onboarding link for a pending Stripe method. */
    onboardingLink: ownerOnlyProcedure
      .input(PayoutMethodIdInput)
      .mutation(({ ctx, input }) => methods.onboardingLink(ctx.db, ctx.env, ctx.user.id, input.methodId)),
    /** Checks with Stripe whether a pending method can be paid now (after onboarding). */
    refresh: ownerOnlyProcedure
      .input(PayoutMethodIdInput)
      .mutation(({ ctx, input }) => methods.refreshMethod(ctx.db, ctx.env, ctx.user.id, input.methodId)),
    banks: authedProcedure.query(({ ctx }) => methods.paystackBanks(ctx.env)),
    remove: ownerOnlyProcedure
      .input(PayoutMethodIdInput)
      .mutation(({ ctx, input }) => methods.removeMethod(ctx.db, ctx.user.id, input.methodId)),
  },
  /** The limits in a currency with what is left today, for the withdraw form. */
  limits: authedProcedure
    .input(z.object({ currency: Currency }))
    .query(({ ctx, input }) => limits.limitsView(ctx.db, ctx.user.id, input.currency)),
  request: requestBudget
    .input(RequestWithdrawalInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.requestWithdrawal(ctx.db, ctx.env, ctx.user.id, input)),
  confirm: withRootDb
    .input(ConfirmWithdrawalInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.confirmWithdrawal(ctx.db, ctx.rootDb, ctx.user.id, input)),
  cancel: ownerOnlyProcedure
    .input(WithdrawalIdInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.cancelWithdrawal(ctx.db, ctx.user.id, input.withdrawalId)),
  list: authedProcedure
    .input(ListWithdrawalsInput)
    .query(({ ctx, input }) => withdrawals.listWithdrawals(ctx.db, ctx.user.id, input)),
  get: authedProcedure
    .input(WithdrawalIdInput)
    .query(({ ctx, input }) => withdrawals.getWithdrawal(ctx.db, ctx.user.id, input.withdrawalId)),
};

/** Admin: the withdrawal review queue, payouts and limits. Mounted under admin.withdrawals.*. */
export const adminWithdrawalsProcedures = {
  queue: adminProcedure
    .input(AdminListWithdrawalsInput)
    .query(({ ctx, input }) => withdrawals.adminListWithdrawals(ctx.db, input, true)),
  list: adminProcedure
    .input(AdminListWithdrawalsInput)
    .query(({ ctx, input }) => withdrawals.adminListWithdrawals(ctx.db, input)),
  get: adminProcedure
    .input(AdminWithdrawalIdInput)
    .query(({ ctx, input }) => withdrawals.adminGetWithdrawal(ctx.db, input.id)),
  approve: adminProcedure
    .input(AdminWithdrawalIdInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.approveWithdrawal(ctx.db, actor(ctx), input.id)),
  reject: adminProcedure
    .input(RejectWithdrawalInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.rejectWithdrawal(ctx.db, actor(ctx), input)),
  markPaid: adminProcedure
    .input(MarkPaidInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.markWithdrawalPaid(ctx.db, actor(ctx), input)),
  markFailed: adminProcedure
    .input(MarkFailedInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => withdrawals.markWithdrawalFailed(ctx.db, actor(ctx), input)),
  limits: adminProcedure.query(({ ctx }) => limits.listLimits(ctx.db)),
  updateLimits: adminProcedure
    .input(UpdateWithdrawalLimitsInput)
    .mutation(({ ctx, input }) => limits.updateLimits(ctx.db, actor(ctx), input)),
};
