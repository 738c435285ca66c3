import { createBrowserRouter } from "react-router";
import { GuestOnly, RequireAuth } from "./components/Guards";
import { PageLoader, RouteError } from "./components/Status";
import { DashboardPage } from "./pages/DashboardPage";
import { SignInPage } from "./pages/SignInPage";

// Sign-in and the dashboard (the first screens) come with the app; every other page loads when first
// visited, keeping its code and the libraries only it uses out of the first download.
export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    // Shown while the first page's code loads; later pages load while the current one stays on screen.
    hydrateFallbackElement: <PageLoader />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          { path: "sign-in", element: <SignInPage /> },
          { path: "sign-up", lazy: async () => ({ Component: (await import("./pages/SignUpPage")).SignUpPage }) },
          {
            path: "forgot-password",
            lazy: async () => ({ Component: (await import("./pages/ForgotPasswordPage")).ForgotPasswordPage }),
          },
        ],
      },
      {
        path: "check-email",
        lazy: async () => ({ Component: (await import("./pages/CheckEmailPage")).CheckEmailPage }),
      },
      {
        path: "verify-email",
        lazy: async () => ({ Component: (await import("./pages/VerifyEmailPage")).VerifyEmailPage }),
      },
      {
        path: "reset-password",
        lazy: async () => ({ Component: (await import("./pages/ResetPasswordPage")).ResetPasswordPage }),
      },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: "profile", lazy: async () => ({ Component: (await import("./pages/ProfilePage")).ProfilePage }) },
          {
            path: "onboarding",
            lazy: async () => ({ Component: (await import("./pages/OnboardingPage")).OnboardingPage }),
          },
          {
            path: "assessment",
            lazy: async () => ({ Component: (await import("./pages/AssessmentPage")).AssessmentPage }),
          },
          { path: "credits", lazy: async () => ({ Component: (await import("./pages/CreditsPage")).CreditsPage }) },
          { path: "teaching", lazy: async () => ({ Component: (await import("./pages/TeachingPage")).TeachingPage }) },
          {
            path: "teaching/reviews",
            lazy: async () => ({ Component: (await import("./pages/ReviewsPage")).ReviewsPage }),
          },
          { path: "teachers", lazy: async () => ({ Component: (await import("./pages/TeachersPage")).TeachersPage }) },
          {
            path: "teachers/:id",
            lazy: async () => ({ Component: (await import("./pages/TeacherPage")).TeacherPage }),
          },
          { path: "sessions", lazy: async () => ({ Component: (await import("./pages/SessionsPage")).SessionsPage }) },
          {
            path: "sessions/:id",
            lazy: async () => ({ Component: (await import("./pages/SessionPage")).SessionPage }),
          },
          { path: "progress", lazy: async () => ({ Component: (await import("./pages/ProgressPage")).ProgressPage }) },
          {
            path: "teaching/availability",
            lazy: async () => ({ Component: (await import("./pages/AvailabilityPage")).AvailabilityPage }),
          },
          {
            path: "teaching/profile",
            lazy: async () => ({ Component: (await import("./pages/TeachingProfilePage")).TeachingProfilePage }),
          },
          {
            path: "teaching/earnings",
            lazy: async () => ({ Component: (await import("./pages/EarningsPage")).EarningsPage }),
          },
        ],
      },
      { path: "*", lazy: async () => ({ Component: (await import("./pages/NotFoundPage")).NotFoundPage }) },
    ],
  },
]);
