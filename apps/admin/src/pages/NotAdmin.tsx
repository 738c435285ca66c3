import { Anchor, Button, Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { signOut } from "../lib/sign-out.ts";
import { usePageTitle } from "../lib/title.ts";
import { type Me, trpc } from "../lib/trpc.ts";

export function NotAdminPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  usePageTitle(t("notAdmin.title"));
  const webUrl = trpc.account.appConfig.useQuery().data?.webUrl;
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" maw={480}>
        <Stack>
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <Title order={1} size="h3">
              {t("notAdmin.title")}
            </Title>
            <LanguageSelect />
          </Group>
          <Text>{t("notAdmin.body", { name: me.name, email: me.email })}</Text>
          <Group>
            <Button onClick={signOut}>{t("common.signOut")}</Button>
            {webUrl && <Anchor href={webUrl}>{t("common.openWebApp")}</Anchor>}
          </Group>
        </Stack>
      </Paper>
    </Center>
  );
}
