import { createBrowserRouter } from "react-router";
import { GuestOnly, RequireAuth } from "./components/Guards";
import { RouteError } from "./components/Status";
import { AssessmentPage } from "./pages/AssessmentPage";
import { AvailabilityPage } from "./pages/AvailabilityPage";
import { CheckEmailPage } from "./pages/CheckEmailPage";
import { CreditsPage } from "./pages/CreditsPage";
import { DashboardPage } from "./pages/DashboardPage";
import { EarningsPage } from "./pages/EarningsPage";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OnboardingPage } from "./pages/OnboardingPage";
import { ProfilePage } from "./pages/ProfilePage";
import { ProgressPage } from "./pages/ProgressPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { ReviewsPage } from "./pages/ReviewsPage";
import { SessionPage } from "./pages/SessionPage";
import { SessionsPage } from "./pages/SessionsPage";
import { SignInPage } from "./pages/SignInPage";
import { SignUpPage } from "./pages/SignUpPage";
import { TeacherPage } from "./pages/TeacherPage";
import { TeachersPage } from "./pages/TeachersPage";
import { TeachingPage } from "./pages/TeachingPage";
import { TeachingProfilePage } from "./pages/TeachingProfilePage";
import { VerifyEmailPage } from "./pages/VerifyEmailPage";

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          { path: "sign-in", element: <SignInPage /> },
          { path: "sign-up", element: <SignUpPage /> },
          { path: "forgot-password", element: <ForgotPasswordPage /> },
        ],
      },
      { path: "check-email", element: <CheckEmailPage /> },
      { path: "verify-email", element: <VerifyEmailPage /> },
      { path: "reset-password", element: <ResetPasswordPage /> },
      {
        element: <RequireAuth />,
        children: [
          { index: true, element: <DashboardPage /> },
          { path: "profile", element: <ProfilePage /> },
          { path: "onboarding", element: <OnboardingPage /> },
          { path: "assessment", element: <AssessmentPage /> },
          { path: "credits", element: <CreditsPage /> },
          { path: "teaching", element: <TeachingPage /> },
          { path: "teaching/reviews", element: <ReviewsPage /> },
          { path: "teachers", element: <TeachersPage /> },
          { path: "teachers/:id", element: <TeacherPage /> },
          { path: "sessions", element: <SessionsPage /> },
          { path: "sessions/:id", element: <SessionPage /> },
          { path: "progress", element: <ProgressPage /> },
          { path: "teaching/availability", element: <AvailabilityPage /> },
          { path: "teaching/profile", element: <TeachingProfilePage /> },
          { path: "teaching/earnings", element: <EarningsPage /> },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
