import { Button, Card, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { LoadError, SectionLoader } from "../components/Status";
import { UpcomingSessionsCard } from "../components/tutoring/UpcomingSessionsCard";
import { useFormat } from "../lib/format";
import { canTeach, isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

export function DashboardPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useFormat();

  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <PageHeading>{t("dashboard.greeting", { name: me.name })}</PageHeading>
        <Text c="dimmed">{t("dashboard.timezone", { timezone: me.timezone })}</Text>
        <Text c="dimmed">{t("dashboard.memberSince", { date: format.dateLong(me.createdAt) })}</Text>
      </Stack>
      {isLearner(me) && <OnboardingPrompt />}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <UpcomingSessionsCard />
        {isLearner(me) && <CreditsCard />}
        {canTeach(me) && <ReviewsCard />}
      </SimpleGrid>
    </Stack>
  );
}

/** Shown to a learner until they have answered the onboarding questions. */
function OnboardingPrompt() {
  const { t } = useTranslation();
  const answers = trpc.tutoring.onboarding.get.useQuery();
  // Quiet while loading or failing: the onboarding page itself explains any error.
  if (answers.data !== null) return null;
  return (
    <Card withBorder radius="md" padding="lg" bg="var(--mantine-color-indigo-light)">
      <Stack gap="sm" align="flex-start">
        <Title order={2} fz="h4">
          {t("dashboard.onboardingTitle")}
        </Title>
        <Text>{t("dashboard.onboardingBody")}</Text>
        <Button component={Link} to="/onboarding">
          {t("dashboard.onboardingAction")}
        </Button>
      </Stack>
    </Card>
  );
}

function CreditsCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const balance = trpc.credits.balance.useQuery();
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} fz="h4" mb="xs">
        {t("dashboard.credits")}
      </Title>
      {balance.isPending ? (
        <SectionLoader />
      ) : balance.isError ? (
        <LoadError error={balance.error} onRetry={() => void balance.refetch()} />
      ) : (
        <Stack gap="xs" align="flex-start">
          <div>
            <Text fz={32} fw={700} lh={1.2}>
              {format.number(balance.data.totalAvailable)}
            </Text>
            <Text size="sm" c="dimmed">
              {t("dashboard.creditsAvailable")}
            </Text>
          </div>
          <Text size="sm">{t("dashboard.creditsHint")}</Text>
          <Button component={Link} to="/credits" variant="light">
            {t("dashboard.viewCredits")}
          </Button>
        </Stack>
      )}
    </Card>
  );
}

/** For teachers and admins: how much is waiting in the review queues. */
function ReviewsCard() {
  const { t } = useTranslation();
  const assessments = trpc.tutoring.reviews.assessments.useQuery({ status: "submitted", page: 1, pageSize: 1 });
  const onboarding = trpc.tutoring.reviews.onboarding.useQuery({ reviewed: false, page: 1, pageSize: 1 });
  const failed = assessments.error ?? onboarding.error;
  return (
    <Card withBorder radius="md" padding="lg">
      <Title order={2} fz="h4" mb="xs">
        {t("dashboard.reviews")}
      </Title>
      {assessments.isPending || onboarding.isPending ? (
        <SectionLoader />
      ) : failed ? (
        <LoadError
          error={failed}
          onRetry={() => {
            void assessments.refetch();
            void onboarding.refetch();
          }}
        />
      ) : (
        <Stack gap="xs" align="flex-start">
          <Text>{t("dashboard.assessmentsToReview", { value: assessments.data?.total ?? 0 })}</Text>
          <Text>{t("dashboard.onboardingToReview", { value: onboarding.data?.total ?? 0 })}</Text>
          <Button component={Link} to="/teaching/reviews" variant="light">
            {t("dashboard.openReviews")}
          </Button>
        </Stack>
      )}
    </Card>
  );
}
