import { Button, Card, CopyButton, Group, Modal, Stack, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { toFailure } from "../../lib/errors";
import { useCurrentUser } from "../../lib/session";
import { trpc } from "../../lib/trpc";
import { useTimeFormat } from "../../lib/tutoring";
import { FailureAlert, LoadError, SectionLoader } from "../Status";

/**
 * The private iCal address of the user's sessions, to copy into a calendar app, and a way to replace
 * it. The server keeps only a hash of it, so the address is shown once, right after it is made.
 */
export function CalendarFeedCard() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const time = useTimeFormat(me.timezone);
  const utils = trpc.useUtils();
  const feed = trpc.tutoring.calendar.get.useQuery();
  const [confirming, setConfirming] = useState(false);
  const [fresh, setFresh] = useState<{ url: string; createdAt: Date } | null>(null);
  const rotate = trpc.tutoring.calendar.rotate.useMutation({
    onSuccess: (made) => {
      const replaced = feed.data !== null;
      setFresh(made);
      utils.tutoring.calendar.get.setData(undefined, { createdAt: made.createdAt });
      setConfirming(false);
      if (replaced) notifications.show({ color: "teal", message: t("calendar.rotated") });
    },
  });
  const close = () => {
    rotate.reset();
    setConfirming(false);
  };

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="calendar-feed">
      <Stack gap="sm">
        <Title order={2} fz="h4" id="calendar-feed">
          {t("calendar.title")}
        </Title>
        <Text size="sm" c="dimmed">
          {t("calendar.intro")}
        </Text>
        {feed.isPending ? (
          <SectionLoader />
        ) : feed.isError ? (
          <LoadError error={feed.error} onRetry={() => void feed.refetch()} />
        ) : fresh ? (
          <>
            <TextInput
              label={t("calendar.url")}
              value={fresh.url}
              readOnly
              dir="ltr"
              onFocus={(event) => event.currentTarget.select()}
              description={t("calendar.created", { when: time.dateTime(fresh.createdAt) })}
            />
            <Group gap="sm">
              <CopyButton value={fresh.url}>
                {({ copied, copy }) => (
                  <Button variant="light" color={copied ? "teal" : undefined} onClick={copy}>
                    {copied ? t("calendar.copied") : t("calendar.copy")}
                  </Button>
                )}
              </CopyButton>
              <Button variant="subtle" color="red" onClick={() => setConfirming(true)}>
                {t("calendar.rotate")}
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              {t("calendar.shownOnce")} {t("calendar.private")}
            </Text>
          </>
        ) : feed.data ? (
          <>
            <Text size="sm">{t("calendar.active", { when: time.dateTime(feed.data.createdAt) })}</Text>
            <Group gap="sm">
              <Button variant="light" onClick={() => setConfirming(true)}>
                {t("calendar.rotateForNew")}
              </Button>
            </Group>
          </>
        ) : (
          <>
            <FailureAlert message={rotate.error ? toFailure(rotate.error, t).message : undefined} />
            <Group gap="sm">
              <Button variant="light" loading={rotate.isPending} onClick={() => rotate.mutate()}>
                {t("calendar.create")}
              </Button>
            </Group>
          </>
        )}
      </Stack>
      <Modal opened={confirming} onClose={close} title={t("calendar.rotateTitle")} centered>
        <Stack gap="md">
          <Text>{t("calendar.rotateBody")}</Text>
          <FailureAlert message={rotate.error ? toFailure(rotate.error, t).message : undefined} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("calendar.keep")}
            </Button>
            <Button color="red" loading={rotate.isPending} onClick={() => rotate.mutate()}>
              {t("calendar.confirmRotate")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
