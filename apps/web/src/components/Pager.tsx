import { Group, Pagination } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "../lib/format";

/** Page switcher under a paged list; nothing when everything fits on one page. */
export function Pager({
  total,
  page,
  pageSize,
  onPage,
}: {
  total: number;
  page: number;
  pageSize: number;
  onPage: (page: number) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const pages = Math.ceil(total / pageSize);
  if (pages <= 1) return null;
  return (
    <Group component="nav" aria-label={t("pager.label")} justify="center">
      <Pagination
        total={pages}
        value={page}
        onChange={onPage}
        getItemProps={(item) => ({ "aria-label": t("pager.page", { page: item }), children: format.number(item) })}
        getControlProps={(control) => ({ "aria-label": t(`pager.${control}`) })}
      />
    </Group>
  );
}
