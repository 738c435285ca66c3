import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { accountRouter } from "./modules/account/router.ts";
import { adminRouter } from "./modules/admin/router.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  account: accountRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
