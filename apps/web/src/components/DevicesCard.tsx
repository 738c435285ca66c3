import type { RouterOutputs } from "@lectern/api/router";
import { Badge, Button, Card, Group, Modal, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toFailure } from "../lib/errors";
import { useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";
import { useTimeFormat } from "../lib/tutoring";
import { FailureAlert, LoadError, SectionLoader } from "./Status";

type Device = RouterOutputs["account"]["tokens"]["list"][number];

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/Firefox\//, "Firefox"],
  [/Chrome\//, "Chrome"],
  [/Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad/, "iOS"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/Linux/, "Linux"],
];

/** "Chrome on Windows" for a browser; an app's or script's own user agent as it sent it. */
function deviceName(userAgent: string | null, t: TFunction) {
  if (!userAgent) return t("devices.unknownDevice");
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const os = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && os && userAgent.startsWith("Mozilla/")) return t("devices.browserOn", { browser, os });
  return userAgent.length > 60 ? `${userAgent.slice(0, 60)}…` : userAgent;
}

/**
 * The user's signed-in sessions: browsers, and apps or scripts holding a bearer token (the same
 * sessions underneath), each revocable at once except the one in use here (sign out for that).
 */
export function DevicesCard() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const utils = trpc.useUtils();
  const devices = trpc.account.tokens.list.useQuery();
  const [confirming, setConfirming] = useState<Device | null>(null);
  const revoke = trpc.account.tokens.revoke.useMutation({
    onSuccess: ({ revoked }) => {
      utils.account.tokens.list.setData(undefined, (old) => old?.filter((d) => d.id !== revoked));
      setConfirming(null);
      notifications.show({ color: "teal", message: t("devices.revoked") });
    },
  });
  const close = () => {
    revoke.reset();
    setConfirming(null);
  };

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="devices-title">
      <Stack gap="sm">
        <Title order={2} fz="h4" id="devices-title">
          {t("devices.title")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("devices.intro")}
        </Text>
        {devices.isPending ? (
          <SectionLoader />
        ) : devices.isError ? (
          <LoadError error={devices.error} onRetry={() => void devices.refetch()} />
        ) : (
          <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {devices.data.map((device) => {
              const name = deviceName(device.userAgent, t);
              return (
                <Card key={device.id} withBorder radius="sm" padding="sm" component="li" data-testid="device">
                  <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
                    <Stack gap={2} style={{ minWidth: 0 }}>
                      <Group gap="xs">
                        <Text fw={500} style={{ overflowWrap: "anywhere" }}>
                          {name}
                        </Text>
                        {device.current && (
                          <Badge variant="light" color="teal">
                            {t("devices.current")}
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {t("devices.lastActive", { when: time.dateTime(device.lastUsedAt) })}
                        {" · "}
                        {t("devices.signedIn", { when: time.dateTime(device.createdAt) })}
                      </Text>
                      {device.ipAddress && (
                        <Text size="xs" c="dimmed" dir="ltr" ta="start">
                          {t("devices.ip", { ip: device.ipAddress })}
                        </Text>
                      )}
                    </Stack>
                    {!device.current && (
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        aria-label={t("devices.revokeLabel", { device: name })}
                        onClick={() => setConfirming(device)}
                      >
                        {t("devices.revoke")}
                      </Button>
                    )}
                  </Group>
                </Card>
              );
            })}
            {devices.data.every((d) => d.current) && (
              <Text size="sm" component="li">
                {t("devices.none")}
              </Text>
            )}
          </Stack>
        )}
      </Stack>
      <Modal opened={confirming !== null} onClose={close} title={t("devices.revokeTitle")} centered>
        <Stack gap="md">
          <Text>{t("devices.revokeBody", { device: confirming ? deviceName(confirming.userAgent, t) : "" })}</Text>
          <FailureAlert message={revoke.error ? toFailure(revoke.error, t).message : undefined} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("devices.keep")}
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() => confirming && revoke.mutate({ id: confirming.id })}
            >
              {t("devices.confirmRevoke")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
