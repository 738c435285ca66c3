import { UpdateProfileInput } from "@lectern/api-contract";
import { googleSignInEnabled } from "@lectern/config";
import { authedProcedure, publicProcedure, router } from "../../trpc.ts";
import * as account from "./service.ts";

export const accountRouter = router({
  /** What sign-in options the apps should show. */
  authOptions: publicProcedure.query(({ ctx }) => ({ google: googleSignInEnabled(ctx.env) })),
  /** The signed-in user, or null; plus the admin behind an impersonated session. */
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.user || !ctx.session) return null;
    const [profile, impersonator] = await Promise.all([
      account.getProfile(ctx.db, ctx.user),
      account.impersonatorOf(ctx.db, ctx.session.impersonatedBy),
    ]);
    return { ...profile, impersonator };
  }),
  updateProfile: authedProcedure
    .input(UpdateProfileInput)
    .mutation(({ ctx, input }) => account.updateProfile(ctx.db, ctx.user, input)),
});
