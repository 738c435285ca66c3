import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { accountRouter } from "./modules/account/router.ts";
import { adminRouter } from "./modules/admin/router.ts";
import { paymentsProcedures } from "./modules/payments/checkout.router.ts";
import { creditsProcedures } from "./modules/tutoring/credits.router.ts";
import { recordsProcedures } from "./modules/tutoring/records.router.ts";
import { sessionsProcedures } from "./modules/tutoring/sessions.router.ts";
import { walletProcedures } from "./modules/wallet/router.ts";
import { withdrawalsProcedures } from "./modules/wallet/withdrawals.router.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  account: accountRouter,
  admin: adminRouter,
  tutoring: router({ ...sessionsProcedures, ...recordsProcedures }),
  credits: router(creditsProcedures),
  payments: router(paymentsProcedures),
  wallet: router(walletProcedures),
  withdrawals: router(withdrawalsProcedures),
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
