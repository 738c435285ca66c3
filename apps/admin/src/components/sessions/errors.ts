import { notifications } from "@mantine/notifications";
import { errorCode, errorMessage, showFormError } from "../../lib/errors.ts";
import { i18n } from "../../lib/i18n.ts";

/**
 * The general messages speak to learners ("You have no credits left"); these codes get wording for
 * an admin acting on someone else's session.
 */
export function sessionErrorMessage(error: unknown): string {
  const key = `sessions.errors.${errorCode(error)}`;
  return i18n.exists(key) ? i18n.t(key) : errorMessage(error);
}

export function notifySessionError(error: unknown) {
  notifications.show({ color: "red", title: i18n.t("common.failed"), message: sessionErrorMessage(error) });
}

/** The form field a refusal is about, so the message shows where the admin can fix it. */
const FIELD_OF_CODE: Record<string, string> = {
  LEARNER_NOT_FOUND: "learnerId",
  NO_CREDITS: "learnerId",
  TEACHER_NOT_FOUND: "teacherId",
  TOO_SOON: "startsAt",
  SLOT_TAKEN: "startsAt",
  SLOT_UNAVAILABLE: "startsAt",
};

/**
 * Shows a failed create or edit on the form: the server's validation issues and the refusals about one
 * field on that field; anything else as a notification.
 */
export function showSessionError(error: unknown, form: Parameters<typeof showFormError>[1]) {
  showFormError(error, form, {
    notify: (failure) => {
      const field = FIELD_OF_CODE[errorCode(failure)];
      if (field) form.setErrors({ [field]: sessionErrorMessage(failure) });
      else notifySessionError(failure);
    },
  });
}
