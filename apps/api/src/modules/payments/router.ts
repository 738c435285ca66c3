import { ListProviderEventsInput, ProviderEventIdInput } from "@lectern/api-contract";
import { adminProcedure } from "../../trpc.ts";
import * as inbox from "./inbox.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/** Admin: the provider-event inbox. Mounted under admin.inbox.* */
export const adminInboxProcedures = {
  list: adminProcedure
    .input(ListProviderEventsInput)
    .query(({ ctx, input }) => inbox.listProviderEvents(ctx.db, input)),
  replay: adminProcedure
    .input(ProviderEventIdInput)
    .mutation(({ ctx, input }) => inbox.replayProviderEvent(ctx.db, actor(ctx), input.id)),
};
