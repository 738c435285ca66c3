import { useEffect } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { QueryState } from "./components/QueryState.tsx";
import { followAccountLocale } from "./lib/i18n.ts";
import { trpc } from "./lib/trpc.ts";
import { AuditLogPage } from "./pages/AuditLog.tsx";
import { ImpersonatingPage } from "./pages/Impersonating.tsx";
import { Layout } from "./pages/Layout.tsx";
import { NewSessionPage } from "./pages/NewSession.tsx";
import { NotAdminPage } from "./pages/NotAdmin.tsx";
import { NotFoundPage } from "./pages/NotFound.tsx";
import { OutboxPage } from "./pages/Outbox.tsx";
import { PacksPage } from "./pages/Packs.tsx";
import { PayrollPage } from "./pages/Payroll.tsx";
import { ReviewsPage } from "./pages/Reviews.tsx";
import { SessionDetailPage } from "./pages/SessionDetail.tsx";
import { SessionsPage } from "./pages/Sessions.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { TeachersPage } from "./pages/Teachers.tsx";
import { UserDetailPage } from "./pages/UserDetail.tsx";
import { UsersPage } from "./pages/Users.tsx";

/** Every route is behind this: only an admin's own session gets past it. */
function Gate() {
  const me = trpc.account.me.useQuery();
  useEffect(() => {
    if (me.data) followAccountLocale(me.data.locale);
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

export const router = createBrowserRouter([
  {
    element: <Gate />,
    children: [
      { index: true, element: <Navigate to="/users" replace /> },
      { path: "users", element: <UsersPage /> },
      { path: "users/:id", element: <UserDetailPage /> },
      { path: "sessions", element: <SessionsPage /> },
      { path: "sessions/new", element: <NewSessionPage /> },
      { path: "sessions/:id", element: <SessionDetailPage /> },
      { path: "packs", element: <PacksPage /> },
      { path: "teachers", element: <TeachersPage /> },
      { path: "payroll", element: <PayrollPage /> },
      { path: "reviews", element: <ReviewsPage /> },
      { path: "audit", element: <AuditLogPage /> },
      { path: "outbox", element: <OutboxPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
