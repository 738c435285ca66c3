import type { RouterOutputs } from "@lectern/api/router";
import {
  AdminCancelSessionInput,
  AdminDeleteSessionInput,
  AdminUpdateSessionInput,
  type SessionLength,
} from "@lectern/api-contract";
import { Alert, Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { formResolver, notifySuccess, showFormError } from "../../lib/errors.ts";
import { useFormat } from "../../lib/format.ts";
import { trpc } from "../../lib/trpc.ts";
import { ReasonModal } from "../ReasonModal.tsx";
import { notifySessionError, showSessionError } from "./errors.ts";
import { sessionResolver, useLengthOptions } from "./form.ts";
import { StartsAtPicker } from "./StartsAtPicker.tsx";
import { fromWallClock, toWallClock } from "./time.ts";
import { UserPicker } from "./UserPicker.tsx";

export type AdminSession = RouterOutputs["admin"]["sessions"]["get"];

interface ModalProps {
  session: AdminSession;
  opened: boolean;
  onClose: () => void;
}

/** After any change the list, the learner's credits and the audit log are stale too. */
function useOnChanged() {
  const utils = trpc.useUtils();
  return (session: AdminSession) => {
    utils.admin.sessions.get.setData({ sessionId: session.id }, session);
    void utils.admin.sessions.list.invalidate();
    void utils.admin.credits.forLearner.invalidate({ learnerId: session.learner.id });
    void utils.admin.audit.list.invalidate();
  };
}

interface EditValues {
  startsAt: string | null;
  durationMinutes: number;
  teacherId: string | null;
  meetingUrl: string;
  notes: string;
}

/** Only what changed goes to the server; a field emptied clears it. */
function toUpdate(session: AdminSession, values: EditValues, timeZone: string | undefined) {
  const startsAt = values.startsAt ? fromWallClock(values.startsAt, timeZone) : undefined;
  const meetingUrl = values.meetingUrl.trim() || null;
  const notes = values.notes.trim() || null;
  return {
    sessionId: session.id,
    startsAt: startsAt && startsAt.getTime() !== session.startsAt.getTime() ? startsAt : undefined,
    durationMinutes: values.durationMinutes !== session.durationMinutes ? values.durationMinutes : undefined,
    teacherId: values.teacherId && values.teacherId !== session.teacher.id ? values.teacherId : undefined,
    meetingUrl: meetingUrl !== session.meetingUrl ? meetingUrl : undefined,
    notes: notes !== (session.notes || null) ? notes : undefined,
  };
}

export function EditSessionModal({ session, opened, onClose }: ModalProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const onChanged = useOnChanged();
  const lengths = useLengthOptions();
  const booked = session.status === "booked";
  const form = useForm<EditValues>({
    initialValues: {
      startsAt: toWallClock(session.startsAt, format.timeZone),
      durationMinutes: session.durationMinutes,
      teacherId: session.teacher.id,
      meetingUrl: session.meetingUrl ?? "",
      notes: session.notes ?? "",
    },
    validate: (values) => {
      if (!values.startsAt) return { startsAt: t("validation.required") };
      if (!values.teacherId) return { teacherId: t("validation.required") };
      return sessionResolver(AdminUpdateSessionInput, t)(toUpdate(session, values, format.timeZone));
    },
  });
  const close = () => {
    form.reset();
    onClose();
  };
  const update = trpc.admin.sessions.update.useMutation({
    onSuccess: (updated) => {
      onChanged(updated);
      notifySuccess(t("sessions.saved"));
      onClose();
    },
    onError: (error) => showSessionError(error, form),
  });
  const reassigning = form.values.teacherId !== session.teacher.id;

  return (
    <Modal opened={opened} onClose={close} title={t("sessions.editTitle")} centered size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) =>
          update.mutate(AdminUpdateSessionInput.parse(toUpdate(session, values, format.timeZone))),
        )}
      >
        <Stack>
          {!booked && (
            <Alert color="gray" variant="light">
              {t("sessions.editNotBooked")}
            </Alert>
          )}
          <StartsAtPicker
            label={t("sessions.startsAt")}
            required
            clearable={false}
            disabled={!booked}
            {...form.getInputProps("startsAt")}
          />
          <Select<SessionLength>
            label={t("sessions.sessionLength")}
            required
            data={lengths}
            allowDeselect={false}
            disabled={!booked}
            {...form.getInputProps("durationMinutes")}
          />
          <UserPicker
            userRole="teacher"
            activeOnly
            label={t("sessions.teacher")}
            required
            clearable={false}
            disabled={!booked}
            description={reassigning ? t("sessions.reassignNote") : undefined}
            {...form.getInputProps("teacherId")}
          />
          <TextInput
            type="url"
            dir="ltr"
            label={t("sessions.meetingLink")}
            placeholder="https://"
            maxLength={500}
            {...form.getInputProps("meetingUrl")}
          />
          <Textarea
            dir="auto"
            label={t("sessions.notes")}
            description={t("sessions.notesHint")}
            autosize
            minRows={2}
            maxLength={4000}
            {...form.getInputProps("notes")}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
              {t("sessions.saveChanges")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

const CancelReason = AdminCancelSessionInput.pick({ reason: true });

export function CancelSessionModal({ session, opened, onClose }: ModalProps) {
  const { t } = useTranslation();
  const onChanged = useOnChanged();
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(CancelReason) });
  const close = () => {
    form.reset();
    onClose();
  };
  const returnsCredit = session.creditOutcome === "reserved";
  const cancel = trpc.admin.sessions.cancel.useMutation({
    onSuccess: (updated) => {
      onChanged(updated);
      notifySuccess(
        updated.creditOutcome === "refunded"
          ? t("sessions.cancelledRefunded", { name: updated.learner.name })
          : t("sessions.cancelled"),
      );
      close();
    },
    onError: (error) =>
      showFormError(error, form, {
        notify: (failure) => {
          close();
          notifySessionError(failure);
        },
      }),
  });
  return (
    <ReasonModal
      opened={opened}
      onClose={close}
      title={t("sessions.cancelTitle")}
      onSubmit={form.onSubmit(({ reason }) => cancel.mutate({ sessionId: session.id, reason }))}
      label={t("sessions.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("sessions.keep")}
      confirmLabel={t("common.confirm")}
      color="red"
      loading={cancel.isPending}
    >
      <Text size="sm">{t("sessions.cancelText")}</Text>
      <Text size="sm" fw={600}>
        {returnsCredit
          ? t("sessions.cancelReturnsCredit", { name: session.learner.name })
          : t("sessions.cancelNoCredit")}
      </Text>
    </ReasonModal>
  );
}

const DeleteReason = AdminDeleteSessionInput.pick({ reason: true });

export function DeleteSessionModal({ session, opened, onClose }: ModalProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(DeleteReason) });
  const close = () => {
    form.reset();
    onClose();
  };
  const remove = trpc.admin.sessions.delete.useMutation({
    onSuccess: () => {
      void utils.admin.sessions.list.invalidate();
      void utils.admin.audit.list.invalidate();
      notifySuccess(t("sessions.deleted"));
      navigate("/sessions", { replace: true });
    },
    onError: (error) => {
      close();
      notifySessionError(error);
      void utils.admin.sessions.get.invalidate({ sessionId: session.id });
    },
  });
  return (
    <ReasonModal
      opened={opened}
      onClose={close}
      title={t("sessions.deleteTitle")}
      onSubmit={form.onSubmit(({ reason }) =>
        remove.mutate({ sessionId: session.id, reason: reason.trim() || undefined }),
      )}
      label={t("sessions.deleteReason")}
      input={form.getInputProps("reason")}
      required={false}
      cancelLabel={t("sessions.keep")}
      confirmLabel={t("common.confirm")}
      color="red"
      loading={remove.isPending}
    >
      <Text size="sm">{t("sessions.deleteText")}</Text>
    </ReasonModal>
  );
}
