import { Alert, Button, Center, Loader } from "@mantine/core";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { createBrowserRouter, Navigate } from "react-router";
import { QueryState } from "./components/QueryState.tsx";
import { followAccountLocale } from "./lib/i18n.ts";
import { trpc } from "./lib/trpc.ts";
import { ImpersonatingPage } from "./pages/Impersonating.tsx";
import { Layout } from "./pages/Layout.tsx";
import { NotAdminPage } from "./pages/NotAdmin.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { UsersPage } from "./pages/Users.tsx";

/** Every route is behind this: only an admin's own session gets past it. */
function Gate() {
  const me = trpc.account.me.useQuery();
  useEffect(() => {
    // An impersonated session's locale is the user's, not the admin's.
    if (me.data && !me.data.impersonator) followAccountLocale(me.data.locale);
  }, [me.data]);
  return (
    <QueryState query={me}>
      {(user) => {
        if (!user) return <SignInPage />;
        if (user.impersonator) return <ImpersonatingPage me={user} admin={user.impersonator.name} />;
        if (user.role !== "admin") return <NotAdminPage me={user} />;
        return <Layout me={user} />;
      }}
    </QueryState>
  );
}

/** Shown while the code of the first page visited loads. */
function PageLoader() {
  const { t } = useTranslation();
  return (
    <Center py="xl">
      <Loader role="status" aria-label={t("common.loading")} />
    </Center>
  );
}

/** A page that failed to load or crashed while rendering (e.g. its code changed with a new release). */
function RouteError() {
  const { t } = useTranslation();
  return (
    <Alert color="red" title={t("common.failed")} m="md">
      <Button size="xs" variant="light" color="red" onClick={() => window.location.reload()}>
        {t("common.retry")}
      </Button>
    </Alert>
  );
}

// The sign-in screen, the shell and the users list (the first page) come with the app; every other page
// loads when first visited, keeping its code and the libraries only it uses out of the first download.
export const router = createBrowserRouter(
  [
    {
      element: <Gate />,
      errorElement: <RouteError />,
      hydrateFallbackElement: <PageLoader />,
      children: [
        { index: true, element: <Navigate to="/users" replace /> },
        { path: "users", element: <UsersPage /> },
        {
          path: "users/:id",
          lazy: async () => ({ Component: (await import("./pages/UserDetail.tsx")).UserDetailPage }),
        },
        { path: "sessions", lazy: async () => ({ Component: (await import("./pages/Sessions.tsx")).SessionsPage }) },
        {
          path: "sessions/new",
          lazy: async () => ({ Component: (await import("./pages/NewSession.tsx")).NewSessionPage }),
        },
        {
          path: "sessions/:id",
          lazy: async () => ({ Component: (await import("./pages/SessionDetail.tsx")).SessionDetailPage }),
        },
        { path: "disputes", lazy: async () => ({ Component: (await import("./pages/Disputes.tsx")).DisputesPage }) },
        { path: "packs", lazy: async () => ({ Component: (await import("./pages/Packs.tsx")).PacksPage }) },
        { path: "teachers", lazy: async () => ({ Component: (await import("./pages/Teachers.tsx")).TeachersPage }) },
        { path: "payroll", lazy: async () => ({ Component: (await import("./pages/Payroll.tsx")).PayrollPage }) },
        { path: "reviews", lazy: async () => ({ Component: (await import("./pages/Reviews.tsx")).ReviewsPage }) },
        { path: "audit", lazy: async () => ({ Component: (await import("./pages/AuditLog.tsx")).AuditLogPage }) },
        { path: "outbox", lazy: async () => ({ Component: (await import("./pages/Outbox.tsx")).OutboxPage }) },
        {
          path: "provider-events",
          lazy: async () => ({ Component: (await import("./pages/ProviderEvents.tsx")).ProviderEventsPage }),
        },
        { path: "health", lazy: async () => ({ Component: (await import("./pages/Health.tsx")).HealthPage }) },
        { path: "*", lazy: async () => ({ Component: (await import("./pages/NotFound.tsx")).NotFoundPage }) },
      ],
    },
  ],
  // The console is built for /admin/ (see @lectern/config/vite): routes are relative to it.
  { basename: import.meta.env.BASE_URL.replace(/\/$/, "") },
);
