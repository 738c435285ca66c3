import type { RouterOutputs } from "@lectern/api/router";
import { createContext, useContext } from "react";
import { trpc } from "./trpc";

export type Me = NonNullable<RouterOutputs["account"]["me"]>;

/** The signed-in user (or null), shared by every component through the query cache. */
export const useMe = () => trpc.account.me.useQuery();

/**
 * Asks the API again who is signed in, after a call that changed the session cookie. A `me` request
 * sent before that call may still be in flight (and would answer for the old cookie): drop it first.
 */
export function useRefreshMe() {
  const utils = trpc.useUtils();
  return async () => {
    await utils.account.me.cancel();
    await utils.account.me.invalidate();
  };
}

/** Sign-in options and the other apps' URLs; fixed for the life of the page. */
export const useAppConfig = () => trpc.account.appConfig.useQuery(undefined, { staleTime: Number.POSITIVE_INFINITY });

export const CurrentUserContext = createContext<Me | null>(null);

/** The signed-in user on pages behind the sign-in guard. */
export function useCurrentUser(): Me {
  const me = useContext(CurrentUserContext);
  if (!me) throw new Error("useCurrentUser is only available on signed-in pages");
  return me;
}

export const canTeach = (me: Me) => me.role === "teacher" || me.role === "admin";

/** Learners answer the onboarding questions, take the writing assessment and hold credits. */
export const isLearner = (me: Me) => me.role === "learner";

/**
 * A return path inside this app, or "/". The browser's own URL parser decides (it drops tabs and
 * newlines and reads backslashes as slashes, so "/\t/evil.example" means //evil.example): only a
 * result on this app's origin is kept, as its path, query and fragment.
 */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw) return "/";
  try {
    const url = new URL(raw, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

/** Where to go after signing in: `?next=` when it stays inside this app, else the dashboard. */
export const nextPath = (search: URLSearchParams): string => safeReturnPath(search.get("next"));
