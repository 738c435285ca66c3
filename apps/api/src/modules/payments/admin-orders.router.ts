import { AdminOrderIdInput, ListAdminOrdersInput, RefundOrderInput, RevenueInput } from "@lectern/api-contract";
import { adminProcedure, idempotent } from "../../trpc.ts";
import { getOrder, listOrders } from "./admin-orders.ts";
import { requestRefund } from "./refunds.ts";
import { platformRevenue } from "./revenue.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/** Admin: orders, refunds and platform revenue. Mounted under admin.orders.* */
export const adminOrdersProcedures = {
  list: adminProcedure.input(ListAdminOrdersInput).query(({ ctx, input }) => listOrders(ctx.db, input)),
  get: adminProcedure.input(AdminOrderIdInput).query(({ ctx, input }) => getOrder(ctx.db, input.orderId)),
  /** Refunds the unused credits of a paid pack (or a flagged payment in full); the provider is called by a job. */
  refund: adminProcedure
    .input(RefundOrderInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => requestRefund(ctx.db, actor(ctx), input)),
  revenue: adminProcedure.input(RevenueInput).query(({ ctx, input }) => platformRevenue(ctx.db, input)),
};
