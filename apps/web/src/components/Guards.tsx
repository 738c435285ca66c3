import { useLayoutEffect } from "react";
import { Navigate, Outlet, useLocation, useSearchParams } from "react-router";
import { currentLocale, isLocale, setLanguage } from "../lib/i18n";
import { CurrentUserContext, nextPath, useMe } from "../lib/session";
import { AppLayout } from "./AppLayout";
import { LoadError, PageLoader } from "./Status";

/** App pages: signed-out visitors go to sign-in and come back here afterwards. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  useProfileLanguage(me.data?.locale);

  if (me.isPending) return <PageLoader />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) {
    const next = new URLSearchParams({ next: location.pathname + location.search });
    return <Navigate to={`/sign-in?${next}`} replace />;
  }
  return (
    <CurrentUserContext.Provider value={me.data}>
      <AppLayout />
    </CurrentUserContext.Provider>
  );
}

/** Sign-in, sign-up and forgot-password: a signed-in visitor moves on to where they were going. */
export function GuestOnly() {
  const me = useMe();
  const [search] = useSearchParams();
  if (me.data) return <Navigate to={nextPath(search)} replace />;
  return <Outlet />;
}

/** A signed-in user sees the app in the language saved on their profile. */
function useProfileLanguage(locale: string | undefined) {
  // Before paint, so the first signed-in screen already shows in that language.
  useLayoutEffect(() => {
    if (isLocale(locale) && locale !== currentLocale()) void setLanguage(locale);
  }, [locale]);
}
