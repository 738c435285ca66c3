import { Group, Pagination, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** Under a paginated table: the empty message, the total and the page switcher. */
export function ListFooter({
  shown,
  total,
  page,
  pageSize,
  empty,
  onPage,
}: {
  shown: number;
  total: number;
  page: number;
  pageSize: number;
  empty: string;
  onPage: (page: number) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      {shown === 0 && (
        <Text c="dimmed" ta="center">
          {empty}
        </Text>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t("common.total", { count: total })}
        </Text>
        <Pagination
          total={Math.ceil(total / pageSize)}
          value={page}
          onChange={onPage}
          // The arrows have no text of their own; the numbers say which page they are.
          getControlProps={(control) => ({ "aria-label": t(`common.pages.${control}`) })}
          getItemProps={(item) => ({
            "aria-label": t("common.pages.page", { page: item }),
            "aria-current": item === page ? "page" : undefined,
          })}
        />
      </Group>
    </>
  );
}
