import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { accountRouter } from "./modules/account/router.ts";
import { adminRouter } from "./modules/admin/router.ts";
import { creditsProcedures } from "./modules/ledger/router.ts";
import { recordsProcedures } from "./modules/tutoring/records.router.ts";
import { sessionsProcedures } from "./modules/tutoring/sessions.router.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  account: accountRouter,
  admin: adminRouter,
  tutoring: router({ ...sessionsProcedures, ...recordsProcedures }),
  credits: router(creditsProcedures),
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
