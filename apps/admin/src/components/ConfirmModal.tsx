import { Button, Group, type MantineColor, Modal, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

interface ConfirmModalProps {
  opened: boolean;
  title: ReactNode;
  children: ReactNode;
  loading: boolean;
  color?: MantineColor;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmModal({ opened, title, children, loading, color, onConfirm, onClose }: ConfirmModalProps) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <Stack>
        <Text size="sm">{children}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button color={color} loading={loading} onClick={onConfirm} data-autofocus>
            {t("common.confirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
