import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { PageHeading } from "../components/PageHeading";
import { useDateTimeFormatter } from "../lib/i18n";
import { useCurrentUser } from "../lib/session";

export function DashboardPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const format = useDateTimeFormatter(me.timezone);

  return (
    <Stack gap="lg" maw={960}>
      <Stack gap={4}>
        <PageHeading>{t("dashboard.greeting", { name: me.name })}</PageHeading>
        <Text c="dimmed">{t("dashboard.timezone", { timezone: me.timezone })}</Text>
        <Text c="dimmed">{t("dashboard.memberSince", { date: format(me.createdAt, { dateStyle: "long" }) })}</Text>
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <PlaceholderCard title={t("dashboard.upcoming")} body={t("dashboard.upcomingSoon")} />
        <PlaceholderCard title={t("dashboard.credits")} body={t("dashboard.creditsSoon")} />
      </SimpleGrid>
    </Stack>
  );
}

function PlaceholderCard({ title, body }: { title: string; body: string }) {
  const { t } = useTranslation();
  return (
    <Card withBorder radius="md" padding="lg">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="h4">
          {title}
        </Title>
        <Badge variant="light">{t("common.comingSoon")}</Badge>
      </Group>
      <Text c="dimmed">{body}</Text>
    </Card>
  );
}
