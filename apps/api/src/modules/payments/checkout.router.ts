import { CHECKOUT_POLICY, ListOrdersInput, OrderIdInput, StartCheckoutInput } from "@lectern/api-contract";
import { authedProcedure, idempotent, ownerOnlyProcedure, router } from "../../trpc.ts";
import * as checkout from "./checkout.ts";
import * as orders from "./orders.ts";
import { enforceRateLimits, RateLimitedError } from "./rate-limit.ts";
import { getReceipt } from "./receipts.ts";

/** Learners' checkout, orders and receipts. Mounted under payments.* */
export const paymentsProcedures = {
  /** Packs on sale with their prices per currency, and the caller's default currency. */
  packs: authedProcedure.query(({ ctx }) => checkout.packsForBuyer(ctx.db, ctx.user.locale)),
  checkout: router({
    /** Opens an order for a pack in a currency and returns the provider's page to send the browser to. */
    start: ownerOnlyProcedure
      .input(StartCheckoutInput)
      // Counted before the idempotent transaction opens, so a refused or failed attempt still counts.
      .use(async ({ ctx, next }) => {
        try {
          await enforceRateLimits(ctx.db, "checkouts", [
            { key: `checkout:user:${ctx.user.id}`, budget: CHECKOUT_POLICY.perUser },
            ...(ctx.ip ? [{ key: `checkout:ip:${ctx.ip}`, budget: CHECKOUT_POLICY.perIp }] : []),
          ]);
        } catch (error) {
          if (error instanceof RateLimitedError) ctx.resHeaders.set("retry-after", String(error.retryAfterSeconds));
          throw error;
        }
        // The order is committed and the provider called outside the idempotent transaction.
        return next({ ctx: { rootDb: ctx.db } });
      })
      .use(idempotent)
      .mutation(({ ctx, input }) =>
        checkout.startCheckout(
          { db: ctx.rootDb, env: ctx.env, payments: ctx.payments, logger: ctx.logger },
          ctx.user,
          input,
        ),
      ),
  }),
  orders: router({
    list: authedProcedure
      .input(ListOrdersInput)
      .query(({ ctx, input }) => orders.listOrders(ctx.db, ctx.user.id, input)),
    get: authedProcedure
      .input(OrderIdInput)
      .query(async ({ ctx, input }) =>
        orders.orderView(await orders.requireOwnOrder(ctx.db, ctx.user.id, input.orderId)),
      ),
    /** The return page: asks the provider about a pending order and applies its answer (once, through the inbox). */
    confirm: authedProcedure
      .input(OrderIdInput)
      .mutation(({ ctx, input }) =>
        checkout.confirmOrder({ db: ctx.db, payments: ctx.payments, logger: ctx.logger }, ctx.user.id, input.orderId),
      ),
  }),
  receipts: router({
    get: authedProcedure.input(OrderIdInput).query(({ ctx, input }) => getReceipt(ctx.db, ctx.user.id, input.orderId)),
  }),
};
