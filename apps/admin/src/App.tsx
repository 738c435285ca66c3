import { Alert, Button, Center, Loader } from "@mantine/core";
import { Component, lazy, type ReactNode, Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
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
// (Declarative routes: the data router's loaders and actions, unused here, would add ~15 KiB to it.)
const UserDetailPage = lazy(async () => ({ default: (await import("./pages/UserDetail.tsx")).UserDetailPage }));
const SessionsPage = lazy(async () => ({ default: (await import("./pages/Sessions.tsx")).SessionsPage }));
const NewSessionPage = lazy(async () => ({ default: (await import("./pages/NewSession.tsx")).NewSessionPage }));
const SessionDetailPage = lazy(async () => ({
  default: (await import("./pages/SessionDetail.tsx")).SessionDetailPage,
}));
const DisputesPage = lazy(async () => ({ default: (await import("./pages/Disputes.tsx")).DisputesPage }));
const PacksPage = lazy(async () => ({ default: (await import("./pages/Packs.tsx")).PacksPage }));
const TeachersPage = lazy(async () => ({ default: (await import("./pages/Teachers.tsx")).TeachersPage }));
const PayrollPage = lazy(async () => ({ default: (await import("./pages/Payroll.tsx")).PayrollPage }));
const ReviewsPage = lazy(async () => ({ default: (await import("./pages/Reviews.tsx")).ReviewsPage }));
const AuditLogPage = lazy(async () => ({ default: (await import("./pages/AuditLog.tsx")).AuditLogPage }));
const OutboxPage = lazy(async () => ({ default: (await import("./pages/Outbox.tsx")).OutboxPage }));
const ProviderEventsPage = lazy(async () => ({
  default: (await import("./pages/ProviderEvents.tsx")).ProviderEventsPage,
}));
const HealthPage = lazy(async () => ({ default: (await import("./pages/Health.tsx")).HealthPage }));
const WalletsPage = lazy(async () => ({ default: (await import("./pages/Wallets.tsx")).WalletsPage }));
const WalletDetailPage = lazy(async () => ({
  default: (await import("./pages/WalletDetail.tsx")).WalletDetailPage,
}));
const OrdersPage = lazy(async () => ({ default: (await import("./pages/Orders.tsx")).OrdersPage }));
const OrderDetailPage = lazy(async () => ({ default: (await import("./pages/OrderDetail.tsx")).OrderDetailPage }));
const RevenuePage = lazy(async () => ({ default: (await import("./pages/Revenue.tsx")).RevenuePage }));
const WithdrawalReviewPage = lazy(async () => ({
  default: (await import("./pages/WithdrawalReview.tsx")).WithdrawalReviewPage,
}));
const PayoutsPage = lazy(async () => ({ default: (await import("./pages/Payouts.tsx")).PayoutsPage }));
const NotFoundPage = lazy(async () => ({ default: (await import("./pages/NotFound.tsx")).NotFoundPage }));

export function AppRoutes() {
  return (
    // The console is built for /admin/ (see @lectern/config/vite): routes are relative to it.
    <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, "")}>
      <RouteErrorBoundary>
        {/* Shown while the first page's code loads; navigations are transitions, so later pages load
            while the current one stays on screen. */}
        <Suspense fallback={<PageLoader />}>
          <Routes>
            <Route element={<Gate />}>
              <Route index element={<Navigate to="/users" replace />} />
              <Route path="users" element={<UsersPage />} />
              <Route path="users/:id" element={<UserDetailPage />} />
              <Route path="sessions" element={<SessionsPage />} />
              <Route path="sessions/new" element={<NewSessionPage />} />
              <Route path="sessions/:id" element={<SessionDetailPage />} />
              <Route path="disputes" element={<DisputesPage />} />
              <Route path="packs" element={<PacksPage />} />
              <Route path="teachers" element={<TeachersPage />} />
              <Route path="payroll" element={<PayrollPage />} />
              <Route path="reviews" element={<ReviewsPage />} />
              <Route path="audit" element={<AuditLogPage />} />
              <Route path="outbox" element={<OutboxPage />} />
              <Route path="provider-events" element={<ProviderEventsPage />} />
              <Route path="health" element={<HealthPage />} />
              <Route path="wallets" element={<WalletsPage />} />
              <Route path="wallets/:id" element={<WalletDetailPage />} />
              <Route path="orders" element={<OrdersPage />} />
              <Route path="orders/:id" element={<OrderDetailPage />} />
              <Route path="revenue" element={<RevenuePage />} />
              <Route path="withdrawals/review" element={<WithdrawalReviewPage />} />
              <Route path="payouts" element={<PayoutsPage />} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </Suspense>
      </RouteErrorBoundary>
    </BrowserRouter>
  );
}

/** A page that crashed or whose code failed to load shows RouteError; moving to another page clears it. */
function RouteErrorBoundary({ children }: { children: ReactNode }) {
  return <ErrorBoundary pathname={useLocation().pathname}>{children}</ErrorBoundary>;
}

class ErrorBoundary extends Component<{ pathname: string; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidUpdate(previous: { pathname: string }) {
    if (this.state.failed && previous.pathname !== this.props.pathname) this.setState({ failed: false });
  }
  override render() {
    return this.state.failed ? <RouteError /> : this.props.children;
  }
}
