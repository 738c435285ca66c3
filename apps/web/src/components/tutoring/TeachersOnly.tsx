import { Alert } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { canTeach, useCurrentUser } from "../../lib/session";

/** Teachers' tools: for teachers (and admins); anyone else reads why the page is empty. */
export function TeachersOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  if (canTeach(me)) return children;
  return (
    <Alert color="yellow" role="alert">
      {t("teaching.forbidden")}
    </Alert>
  );
}
