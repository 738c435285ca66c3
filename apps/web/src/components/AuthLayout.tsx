import { Container, Group, Paper, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "./LanguageSwitch";
import { PageHeading } from "./PageHeading";

/** The frame of the signed-out pages: the name, the language switch, and one card. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Container component="main" size={460} py={48}>
      <Stack gap="lg">
        <Group justify="space-between">
          <Text fw={700} fz="xl" c="indigo.7">
            {t("common.appName")}
          </Text>
          <LanguageSwitch />
        </Group>
        <Paper withBorder shadow="sm" radius="md" p="xl">
          <Stack gap="md">
            <PageHeading>{title}</PageHeading>
            {children}
          </Stack>
        </Paper>
      </Stack>
    </Container>
  );
}
