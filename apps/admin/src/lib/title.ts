import { useDocumentTitle } from "@mantine/hooks";
import { useTranslation } from "react-i18next";

/** Names the browser tab and history entry after the page ("Audit log · Lectern admin"), in the viewer's language. */
export function usePageTitle(title: string | undefined) {
  const { t } = useTranslation();
  useDocumentTitle(title ? `${title} · ${t("app.name")}` : t("app.name"));
}
