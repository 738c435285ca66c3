import { MeOutput, RevokeTokenInput, UpdateProfileInput } from "@lectern/api-contract";
import { googleSignInEnabled } from "@lectern/config";
import { rest } from "../../http/openapi-meta.ts";
import { authedProcedure, ownerOnlyProcedure, publicProcedure, router, syncChecked } from "../../trpc.ts";
import * as account from "./service.ts";

export const accountRouter = router({
  /** What the apps need to know before sign-in: sign-in options and each other's URLs. */
  appConfig: publicProcedure.query(({ ctx }) => ({
    googleSignIn: googleSignInEnabled(ctx.env),
    webUrl: ctx.env.WEB_URL,
    adminUrl: ctx.env.ADMIN_URL,
  })),
  /** The signed-in user, or null; plus the admin behind an impersonated session. */
  me: publicProcedure
    .meta(rest({ method: "GET", path: "/me", summary: "The signed-in user, or null", errors: [], public: true }))
    .output(syncChecked(MeOutput))
    .query(async ({ ctx }) => {
      if (!ctx.user || !ctx.session) return null;
      // The session lookup already read the user row: no second query on this hot path.
      const impersonator = await account.impersonatorOf(ctx.db, ctx.session.impersonatedBy);
      return { ...account.toProfile(ctx.user), impersonator };
    }),
  updateProfile: authedProcedure
    .input(UpdateProfileInput)
    .mutation(({ ctx, input }) => account.updateProfile(ctx.db, ctx.user, input)),
  /** Signed-in sessions and devices (browsers, apps, scripts' bearer tokens), and revoking one. */
  tokens: router({
    list: authedProcedure.query(({ ctx }) => account.listTokens(ctx.db, ctx.user, ctx.session.id)),
    revoke: ownerOnlyProcedure
      .input(RevokeTokenInput)
      .mutation(({ ctx, input }) => account.revokeToken(ctx.db, ctx.user, input)),
  }),
});
