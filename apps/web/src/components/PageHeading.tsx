import { Title, type TitleProps } from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { useTranslation } from "react-i18next";

/** A page's one <h1>, also shown in the browser tab. */
export function PageHeading({ children, ...props }: TitleProps & { children: string }) {
  const { t } = useTranslation();
  useDocumentTitle(`${children} · ${t("common.appName")}`);
  return (
    <Title order={1} fz="h2" {...props}>
      {children}
    </Title>
  );
}
