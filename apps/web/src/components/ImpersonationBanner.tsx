import { Box, Button, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { toFailure } from "../lib/errors";
import type { Me } from "../lib/session";
import { trpc } from "../lib/trpc";

/** Shown on every page of a session an admin opened as this user, with the way back to the console. */
export function ImpersonationBanner({ me, impersonator }: { me: Me; impersonator: NonNullable<Me["impersonator"]> }) {
  const { t } = useTranslation();
  const utils = trpc.useUtils();
  const stop = trpc.admin.users.stopImpersonating.useMutation({
    onSuccess: async () => {
      const { adminUrl } = await utils.account.appConfig.fetch();
      window.location.assign(`${adminUrl.replace(/\/$/, "")}/users/${me.id}`);
    },
  });

  return (
    <Box data-testid="impersonation-banner" bg="yellow.4" px="md" py={8}>
      <Group justify="space-between" gap="xs">
        <Text fw={600} c="dark.9">
          {t("impersonation.banner", { user: me.name, admin: impersonator.name })}
        </Text>
        <Button size="xs" color="dark" loading={stop.isPending || stop.isSuccess} onClick={() => stop.mutate()}>
          {t("impersonation.stop")}
        </Button>
      </Group>
      {stop.isError && (
        <Text size="sm" c="red.9" role="alert">
          {toFailure(stop.error, t).message}
        </Text>
      )}
    </Box>
  );
}
