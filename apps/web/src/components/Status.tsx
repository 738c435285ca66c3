import { Alert, Button, Center, Group, Loader, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { toFailure } from "../lib/errors";

/** A page or section whose data is still on its way. */
export function PageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="40vh" role="status">
      <Stack align="center" gap="xs">
        <Loader />
        <Text c="dimmed">{t("common.loading")}</Text>
      </Stack>
    </Center>
  );
}

/** A part of a page whose data is still on its way. */
export function SectionLoader() {
  const { t } = useTranslation();
  return (
    <Group role="status" gap="xs" py="md">
      <Loader size="sm" />
      <Text c="dimmed" size="sm">
        {t("common.loading")}
      </Text>
    </Group>
  );
}

/** A failed load, explained in the UI language, with a way to try again. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return <ErrorWithRetry message={toFailure(error, t).message} onRetry={onRetry} />;
}

/** A page that crashed while rendering: say so in the UI language and offer a reload. */
export function RouteError() {
  const { t } = useTranslation();
  return <ErrorWithRetry message={t("errors.unknown")} onRetry={() => window.location.reload()} />;
}

function ErrorWithRetry({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" role="alert" maw={560} mx="auto" my="xl">
      <Stack align="flex-start" gap="sm">
        <Text>{message}</Text>
        <Button variant="white" color="red" onClick={onRetry}>
          {t("common.retry")}
        </Button>
      </Stack>
    </Alert>
  );
}

/** The message of a failed form submission. */
export function FailureAlert({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <Alert color="red" role="alert">
      {message}
    </Alert>
  );
}
