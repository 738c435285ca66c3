import { Button, Group, type MantineColor, Modal, Stack, Textarea } from "@mantine/core";
import type { GetInputPropsReturnType } from "@mantine/form";
import type { FormEvent, ReactNode } from "react";

interface ReasonModalProps {
  opened: boolean;
  onClose: () => void;
  title: ReactNode;
  /** What will happen, above the text box. */
  children: ReactNode;
  /** The form's onSubmit (mantine's `form.onSubmit(...)`). */
  onSubmit: (event?: FormEvent<HTMLFormElement>) => void;
  /** The text box's label and `form.getInputProps(...)`. */
  label: ReactNode;
  input: GetInputPropsReturnType;
  required?: boolean;
  cancelLabel: ReactNode;
  confirmLabel: ReactNode;
  color?: MantineColor;
  loading: boolean;
}

/** An admin action that takes a written reason (or note): what it does, the text box, cancel and confirm. */
export function ReasonModal({
  opened,
  onClose,
  title,
  children,
  onSubmit,
  label,
  input,
  required = true,
  cancelLabel,
  confirmLabel,
  color,
  loading,
}: ReasonModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form noValidate onSubmit={onSubmit}>
        <Stack>
          {children}
          <Textarea
            dir="auto"
            label={label}
            required={required}
            autosize
            minRows={required ? 3 : 2}
            maxLength={500}
            data-autofocus
            {...input}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {cancelLabel}
            </Button>
            <Button type="submit" color={color} loading={loading}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
