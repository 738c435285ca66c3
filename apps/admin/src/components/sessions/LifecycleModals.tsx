import { AdminResolveDisputeInput, AdminReverseSessionInput } from "@lectern/api-contract";
import { Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useTranslation } from "react-i18next";
import { formResolver, notifySuccess, showFormError } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";
import { ReasonModal } from "../ReasonModal.tsx";
import { notifySessionError } from "./errors.ts";
import type { AdminSession } from "./SessionModals.tsx";

/** The parts of a session these dialogs need: the detail page's and the dispute queue's rows both have them. */
type SessionRef = Pick<AdminSession, "id" | "learner" | "teacher">;

/** After a resolution or reversal: the session, both lists, the learner's credits and the audit log are stale. */
function useOnChanged() {
  const utils = trpc.useUtils();
  return (session: AdminSession) => {
    utils.admin.sessions.get.setData({ sessionId: session.id }, session);
    void utils.admin.sessions.list.invalidate();
    void utils.admin.sessions.disputes.invalidate();
    void utils.admin.credits.forLearner.invalidate({ learnerId: session.learner.id });
    void utils.admin.payroll.invalidate();
    void utils.admin.audit.list.invalidate();
  };
}

const ReverseReason = AdminReverseSessionInput.pick({ reason: true });

/** Reverses a completed session: the learner's credit back, the teacher's pay taken back, with a required reason. */
export function ReverseSessionModal({
  session,
  opened,
  onClose,
}: {
  session: SessionRef;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const onChanged = useOnChanged();
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(ReverseReason) });
  const close = () => {
    form.reset();
    onClose();
  };
  const reverse = trpc.admin.sessions.reverse.useMutation({
    onSuccess: (updated) => {
      onChanged(updated);
      notifySuccess(t("sessions.reversed", { name: updated.learner.name }));
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
      title={t("sessions.reverseTitle")}
      onSubmit={form.onSubmit(({ reason }) => reverse.mutate({ sessionId: session.id, reason }))}
      label={t("sessions.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("sessions.keep")}
      confirmLabel={t("sessions.reverseConfirm")}
      color="red"
      loading={reverse.isPending}
    >
      <Text size="sm">
        {t("sessions.reverseText", { learner: session.learner.name, teacher: session.teacher.name })}
      </Text>
    </ReasonModal>
  );
}

const DisputeNote = AdminResolveDisputeInput.pick({ note: true });

/** Decides a "teacher didn't come" report: refund the learner, or complete the session and pay the teacher. */
export function ResolveDisputeModal({
  session,
  resolution,
  onClose,
}: {
  session: SessionRef;
  /** null: closed */
  resolution: "refund" | "complete" | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const onChanged = useOnChanged();
  const form = useForm({ initialValues: { note: "" }, validate: formResolver(DisputeNote) });
  const close = () => {
    form.reset();
    onClose();
  };
  const resolve = trpc.admin.sessions.resolveDispute.useMutation({
    onSuccess: (updated) => {
      onChanged(updated);
      notifySuccess(t("disputes.resolved"));
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
      opened={resolution !== null}
      onClose={close}
      title={resolution === "complete" ? t("disputes.completeTitle") : t("disputes.refundTitle")}
      onSubmit={form.onSubmit(({ note }) => {
        if (resolution) resolve.mutate({ sessionId: session.id, resolution, note });
      })}
      label={t("disputes.note")}
      input={form.getInputProps("note")}
      cancelLabel={t("common.cancel")}
      confirmLabel={t("common.confirm")}
      color={resolution === "refund" ? "red" : undefined}
      loading={resolve.isPending}
    >
      <Text size="sm">
        {resolution === "complete"
          ? t("disputes.completeText", { teacher: session.teacher.name })
          : t("disputes.refundText", { learner: session.learner.name })}
      </Text>
      <Text size="sm" c="dimmed">
        {t("disputes.bothEmailed")}
      </Text>
    </ReasonModal>
  );
}
