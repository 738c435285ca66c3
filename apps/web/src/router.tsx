import { Component, lazy, type ReactNode, Suspense } from "react";
import { BrowserRouter, Route, Routes, useLocation } from "react-router";
import { GuestOnly, RequireAuth } from "./components/Guards";
import { PageLoader, RouteError } from "./components/Status";
import { DashboardPage } from "./pages/DashboardPage";
import { SignInPage } from "./pages/SignInPage";

// Sign-in and the dashboard (the first screens) come with the app; every other page loads when first
// visited, keeping its code and the libraries only it uses out of the first download. (Declarative
// routes: the data router's loaders and actions, unused here, would add ~15 KiB to that download.)
const SignUpPage = lazy(async () => ({ default: (await import("./pages/SignUpPage")).SignUpPage }));
const ForgotPasswordPage = lazy(async () => ({
  default: (await import("./pages/ForgotPasswordPage")).ForgotPasswordPage,
}));
const CheckEmailPage = lazy(async () => ({ default: (await import("./pages/CheckEmailPage")).CheckEmailPage }));
const VerifyEmailPage = lazy(async () => ({ default: (await import("./pages/VerifyEmailPage")).VerifyEmailPage }));
const ResetPasswordPage = lazy(async () => ({
  default: (await import("./pages/ResetPasswordPage")).ResetPasswordPage,
}));
const ProfilePage = lazy(async () => ({ default: (await import("./pages/ProfilePage")).ProfilePage }));
const OnboardingPage = lazy(async () => ({ default: (await import("./pages/OnboardingPage")).OnboardingPage }));
const AssessmentPage = lazy(async () => ({ default: (await import("./pages/AssessmentPage")).AssessmentPage }));
const CreditsPage = lazy(async () => ({ default: (await import("./pages/CreditsPage")).CreditsPage }));
const TeachingPage = lazy(async () => ({ default: (await import("./pages/TeachingPage")).TeachingPage }));
const ReviewsPage = lazy(async () => ({ default: (await import("./pages/ReviewsPage")).ReviewsPage }));
const TeachersPage = lazy(async () => ({ default: (await import("./pages/TeachersPage")).TeachersPage }));
const TeacherPage = lazy(async () => ({ default: (await import("./pages/TeacherPage")).TeacherPage }));
const SessionsPage = lazy(async () => ({ default: (await import("./pages/SessionsPage")).SessionsPage }));
const SessionPage = lazy(async () => ({ default: (await import("./pages/SessionPage")).SessionPage }));
const ProgressPage = lazy(async () => ({ default: (await import("./pages/ProgressPage")).ProgressPage }));
const AvailabilityPage = lazy(async () => ({ default: (await import("./pages/AvailabilityPage")).AvailabilityPage }));
const TeachingProfilePage = lazy(async () => ({
  default: (await import("./pages/TeachingProfilePage")).TeachingProfilePage,
}));
const EarningsPage = lazy(async () => ({ default: (await import("./pages/EarningsPage")).EarningsPage }));
const WalletPage = lazy(async () => ({ default: (await import("./pages/WalletPage")).WalletPage }));
const WithdrawalsPage = lazy(async () => ({ default: (await import("./pages/WithdrawalsPage")).WithdrawalsPage }));
const WithdrawalPage = lazy(async () => ({ default: (await import("./pages/WithdrawalPage")).WithdrawalPage }));
const PayoutMethodsPage = lazy(async () => ({
  default: (await import("./pages/PayoutMethodsPage")).PayoutMethodsPage,
}));
const BuyCreditsPage = lazy(async () => ({ default: (await import("./pages/BuyCreditsPage")).BuyCreditsPage }));
const CheckoutReturnPage = lazy(async () => ({
  default: (await import("./pages/CheckoutReturnPage")).CheckoutReturnPage,
}));
const OrdersPage = lazy(async () => ({ default: (await import("./pages/OrdersPage")).OrdersPage }));
const ReceiptPage = lazy(async () => ({ default: (await import("./pages/ReceiptPage")).ReceiptPage }));
const NotFoundPage = lazy(async () => ({ default: (await import("./pages/NotFoundPage")).NotFoundPage }));

export function AppRoutes() {
  return (
    <BrowserRouter>
      <RouteErrorBoundary>
        {/* Shown while the first page's code loads; navigations are transitions, so later pages load
            while the current one stays on screen. */}
        <Suspense fallback={<PageLoader />}>
          <Routes>
            <Route element={<GuestOnly />}>
              <Route path="sign-in" element={<SignInPage />} />
              <Route path="sign-up" element={<SignUpPage />} />
              <Route path="forgot-password" element={<ForgotPasswordPage />} />
            </Route>
            <Route path="check-email" element={<CheckEmailPage />} />
            <Route path="verify-email" element={<VerifyEmailPage />} />
            <Route path="reset-password" element={<ResetPasswordPage />} />
            <Route element={<RequireAuth />}>
              <Route index element={<DashboardPage />} />
              <Route path="profile" element={<ProfilePage />} />
              <Route path="onboarding" element={<OnboardingPage />} />
              <Route path="assessment" element={<AssessmentPage />} />
              <Route path="credits" element={<CreditsPage />} />
              <Route path="credits/buy" element={<BuyCreditsPage />} />
              <Route path="checkout/return" element={<CheckoutReturnPage />} />
              <Route path="orders" element={<OrdersPage />} />
              <Route path="orders/:orderId/receipt" element={<ReceiptPage />} />
              <Route path="teaching" element={<TeachingPage />} />
              <Route path="teaching/reviews" element={<ReviewsPage />} />
              <Route path="teachers" element={<TeachersPage />} />
              <Route path="teachers/:id" element={<TeacherPage />} />
              <Route path="sessions" element={<SessionsPage />} />
              <Route path="sessions/:id" element={<SessionPage />} />
              <Route path="progress" element={<ProgressPage />} />
              <Route path="teaching/availability" element={<AvailabilityPage />} />
              <Route path="teaching/profile" element={<TeachingProfilePage />} />
              <Route path="teaching/earnings" element={<EarningsPage />} />
              <Route path="wallet" element={<WalletPage />} />
              <Route path="wallet/withdrawals" element={<WithdrawalsPage />} />
              <Route path="wallet/withdrawals/:id" element={<WithdrawalPage />} />
              <Route path="wallet/payout-methods" element={<PayoutMethodsPage />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
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
