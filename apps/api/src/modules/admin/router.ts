import {
  DisableUserInput,
  ListAuditInput,
  ListOutboxInput,
  SearchUsersInput,
  SetRoleInput,
  UserIdInput,
} from "@lectern/api-contract";
import { AppError } from "../../errors.ts";
import { adminProcedure, impersonationProcedure, router } from "../../trpc.ts";
import { listAudit } from "../audit/service.ts";
import { adminLedgerProcedures } from "../ledger/router.ts";
import { listOutbox } from "../notifications/service.ts";
import { adminOrdersProcedures } from "../payments/admin-orders.router.ts";
import { adminInboxProcedures } from "../payments/router.ts";
import { adminCreditsProcedures } from "../tutoring/credits.router.ts";
import { adminPayrollProcedures } from "../tutoring/payroll.router.ts";
import { adminSessionsProcedures } from "../tutoring/sessions.router.ts";
import { adminWalletsProcedures } from "../wallet/router.ts";
import { adminWithdrawalsProcedures } from "../wallet/withdrawals.router.ts";
import * as users from "./users.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });
const authCall = (ctx: { auth: users.AuthCall["auth"]; headers: Headers; resHeaders: Headers }) => ({
  auth: ctx.auth,
  headers: ctx.headers,
  resHeaders: ctx.resHeaders,
});

export const adminRouter = router({
  users: router({
    search: adminProcedure.input(SearchUsersInput).query(({ ctx, input }) => users.searchUsers(ctx.db, input)),
    get: adminProcedure.input(UserIdInput).query(({ ctx, input }) => users.getUser(ctx.db, input.userId)),
    setRole: adminProcedure
      .input(SetRoleInput)
      .mutation(({ ctx, input }) => users.setRole(ctx.db, actor(ctx), input.userId, input.role)),
    disable: adminProcedure
      .input(DisableUserInput)
      .mutation(({ ctx, input }) => users.disableUser(ctx.db, actor(ctx), input.userId, input.reason)),
    enable: adminProcedure
      .input(UserIdInput)
      .mutation(({ ctx, input }) => users.enableUser(ctx.db, actor(ctx), input.userId)),
    sendPasswordReset: adminProcedure
      .input(UserIdInput)
      .mutation(({ ctx, input }) => users.sendPasswordReset(ctx.db, actor(ctx), authCall(ctx), input.userId)),
    impersonate: adminProcedure.input(UserIdInput).mutation(({ ctx, input }) => {
      // The admin's own session waits in a cookie to be restored: a browser hand-off, never a bearer token.
      if (ctx.credential !== "cookie")
        throw new AppError("COOKIE_SESSION_REQUIRED", "Impersonation starts from the console in a browser");
      return users.impersonate(ctx.db, actor(ctx), authCall(ctx), input.userId);
    }),
    /** Called from the impersonated session (the web app's banner), so not an adminProcedure. */
    stopImpersonating: impersonationProcedure.mutation(({ ctx }) =>
      users.stopImpersonating(ctx.db, { adminId: ctx.impersonatorId, userId: ctx.user.id, ip: ctx.ip }, authCall(ctx)),
    ),
  }),
  audit: router({
    list: adminProcedure.input(ListAuditInput).query(({ ctx, input }) => listAudit(ctx.db, input)),
  }),
  outbox: router({
    list: adminProcedure.input(ListOutboxInput).query(async ({ ctx, input }) => {
      const otherAdmins = await users.protectedAdminIds(ctx.db);
      otherAdmins.delete(ctx.user.id);
      return listOutbox(ctx.db, input, otherAdmins);
    }),
  }),
  sessions: router(adminSessionsProcedures),
  inbox: router(adminInboxProcedures),
  orders: router(adminOrdersProcedures),
  wallets: router(adminWalletsProcedures),
  withdrawals: router(adminWithdrawalsProcedures),
  ...adminCreditsProcedures,
  ...adminPayrollProcedures,
  ...adminLedgerProcedures,
});
