import { Alert, Button, Center, Loader, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../lib/errors.ts";

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  refetch: () => unknown;
}

/** Shows a query's loading and error states, and its data once there is some. */
export function QueryState<T>({ query, children }: { query: QueryLike<T>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  if (query.error) {
    return (
      <Alert color="red" title={t("common.failed")}>
        <Stack align="flex-start" gap="sm">
          <Text size="sm">{errorMessage(query.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => query.refetch()}>
            {t("common.retry")}
          </Button>
        </Stack>
      </Alert>
    );
  }
  if (query.data === undefined) {
    return (
      <Center py="xl">
        <Loader role="status" aria-label={t("common.loading")} />
      </Center>
    );
  }
  return children(query.data);
}
