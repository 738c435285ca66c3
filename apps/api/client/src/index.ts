import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

/**
 * The API's router as outside clients see it. Its declaration is emitted fully spelled out: every
 * input and output becomes a plain object type, the server's context becomes `object`, and type
 * names from the server or the contract are replaced by their values, so the built .d.ts names
 * nothing but `@trpc/server`.
 */
function publicRouter() {
  type Server = import("../../src/router.ts").AppRouter;
  // The key remapping (`${K}` is the same key) keeps optional and readonly modifiers but drops the
  // link to the server's property declarations, whose annotations the emitter would reuse by name.
  type Each<T> = T extends Date
    ? Date
    : T extends readonly (infer E)[]
      ? Plain<E>[]
      : T extends object
        ? { [K in keyof T as K extends string ? `${K}` : K]: Plain<T[K]> }
        : T;
  // Rebuilding each union through a box drops its alias (e.g. ErrorCode), which would name a server module.
  type Box<T> = T extends unknown ? { v: T } : never;
  type Unbox<B> = B extends { v: infer T } ? T : never;
  type Plain<T> = Unbox<Box<Each<T>>>;
  type Query<D extends { input: unknown; output: unknown }> = import("@trpc/server").TRPCQueryProcedure<{
    input: Plain<D["input"]>;
    output: Plain<D["output"]>;
    meta: object;
  }>;
  type Mutation<D extends { input: unknown; output: unknown }> = import("@trpc/server").TRPCMutationProcedure<{
    input: Plain<D["input"]>;
    output: Plain<D["output"]>;
    meta: object;
  }>;
  type Def = { input: unknown; output: unknown; meta: unknown };
  type Procedure<P> = P extends import("@trpc/server").TRPCQueryProcedure<infer D extends Def>
    ? Query<D>
    : P extends import("@trpc/server").TRPCMutationProcedure<infer D extends Def>
      ? Mutation<D>
      : never;
  type PublicRecord<R> = {
    [K in keyof R]: R[K] extends import("@trpc/server").AnyTRPCProcedure ? Procedure<R[K]> : PublicRecord<R[K]>;
  };
  type Root = Server["_def"]["_config"]["$types"];
  return null as unknown as import("@trpc/server").TRPCBuiltRouter<
    { ctx: object; meta: object; errorShape: Plain<Root["errorShape"]>; transformer: true },
    PublicRecord<Server["_def"]["record"]>
  >;
}

export type AppRouter = ReturnType<typeof publicRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
