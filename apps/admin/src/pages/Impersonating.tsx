import { Alert, Anchor, Button, Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { errorMessage } from "../lib/errors.ts";
import { usePageTitle } from "../lib/title.ts";
import { type Me, trpc } from "../lib/trpc.ts";

/** An impersonated session reaching the console: the only way on is back to the admin's own session. */
export function ImpersonatingPage({ me, admin }: { me: Me; admin: string }) {
  const { t } = useTranslation();
  usePageTitle(t("impersonating.title", { name: me.name }));
  const webUrl = trpc.account.appConfig.useQuery().data?.webUrl;
  const stop = trpc.admin.users.stopImpersonating.useMutation({ onSuccess: () => window.location.reload() });
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" maw={520}>
        <Stack>
          <Group justify="space-between" align="flex-start" wrap="nowrap">
            <Title order={1} size="h3">
              {t("impersonating.title", { name: me.name })}
            </Title>
            <LanguageSelect />
          </Group>
          <Text>{t("impersonating.body", { name: me.name, email: me.email, admin })}</Text>
          {stop.error && <Alert color="red">{errorMessage(stop.error)}</Alert>}
          <Group>
            <Button color="orange" loading={stop.isPending || stop.isSuccess} onClick={() => stop.mutate()}>
              {t("impersonating.stop")}
            </Button>
            {webUrl && <Anchor href={webUrl}>{t("common.openWebApp")}</Anchor>}
          </Group>
        </Stack>
      </Paper>
    </Center>
  );
}
