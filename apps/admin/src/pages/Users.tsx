import { PAGE_MAX, ROLES, type SearchUsersInput, USER_QUERY_MAX, USER_SORT_FIELDS } from "@lectern/api-contract";
import { Anchor, Badge, Group, NativeSelect, Stack, Title, UnstyledButton } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { oneOf, useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";
import classes from "./Users.module.css";

type SortField = SearchUsersInput["sortBy"];

const COLUMNS = [
  { field: "name", label: "users.name" },
  { field: "email", label: "users.email" },
  { field: "role", label: "users.role" },
  { field: "createdAt", label: "users.created" },
] as const;

const STATUSES = ["active", "disabled"] as const satisfies readonly NonNullable<SearchUsersInput["status"]>[];
const DIRECTIONS = ["asc", "desc"] as const satisfies readonly SearchUsersInput["sortDir"][];

/**
 * Reads the filters from the URL; anything malformed there falls back to its default. Plain code rather
 * than the contract's schema, which would bring zod into the console's first download (the API still
 * parses the input with that schema).
 */
function readInput(params: URLSearchParams, page: number): Omit<SearchUsersInput, "pageSize"> {
  const query = (params.get("q") ?? "").trim();
  return {
    query: query.length <= USER_QUERY_MAX ? query : "",
    role: oneOf(ROLES, params.get("role")),
    status: oneOf(STATUSES, params.get("status")),
    sortBy: oneOf(USER_SORT_FIELDS, params.get("sort")) ?? "createdAt",
    sortDir: oneOf(DIRECTIONS, params.get("dir")) ?? "desc",
    page: page <= PAGE_MAX ? page : 1,
  };
}

export function UsersPage() {
  const { t } = useTranslation();
  usePageTitle(t("users.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const input = readInput(params, page);
  const users = trpc.admin.users.search.useQuery(input, { placeholderData: keepPreviousData });

  const sortBy = (field: SortField) => {
    const dir =
      input.sortBy === field ? (input.sortDir === "asc" ? "desc" : "asc") : field === "createdAt" ? "desc" : "asc";
    update({ sort: field, dir });
  };

  return (
    <Stack>
      <Title order={1} size="h2">
        {t("users.title")}
      </Title>
      <Group align="flex-end">
        <FilterInput
          label={t("users.search")}
          placeholder={t("users.searchPlaceholder")}
          value={input.query}
          onChange={(q) => update({ q })}
          flex={1}
          miw={220}
        />
        {/* Native selects: Mantine's Select (Combobox, floating-ui) would join the first download. The
            empty first option is "all". */}
        <NativeSelect
          label={t("users.role")}
          data={[
            { value: "", label: t("users.allRoles") },
            ...ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) })),
          ]}
          value={input.role ?? ""}
          onChange={(event) => update({ role: event.currentTarget.value })}
          w={160}
        />
        <NativeSelect
          label={t("users.status")}
          data={[
            { value: "", label: t("users.allStatuses") },
            ...STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) })),
          ]}
          value={input.status ?? ""}
          onChange={(event) => update({ status: event.currentTarget.value })}
          w={160}
        />
      </Group>
      <QueryState query={users}>
        {({ items, total, pageSize }) => (
          <>
            {/* Scrolls sideways on a narrow screen. */}
            <div className={classes.scroll}>
              <table className={classes.table}>
                <thead>
                  <tr>
                    {COLUMNS.map(({ field, label }) => {
                      const active = input.sortBy === field;
                      return (
                        <th
                          key={field}
                          aria-sort={active ? (input.sortDir === "asc" ? "ascending" : "descending") : undefined}
                        >
                          <UnstyledButton fw={700} fz="sm" onClick={() => sortBy(field)}>
                            {t(label)} {active ? (input.sortDir === "asc" ? "▲" : "▼") : ""}
                          </UnstyledButton>
                        </th>
                      );
                    })}
                    <th>{t("users.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((user) => (
                    <tr key={user.id}>
                      <td>
                        <Anchor component={Link} to={`/users/${user.id}`} dir="auto">
                          {user.name}
                        </Anchor>
                      </td>
                      <td>{user.email}</td>
                      <td>{t(`roles.${user.role}`)}</td>
                      <td>{format.date(user.createdAt)}</td>
                      <td>
                        <Badge color={user.banned ? "red" : "green"} variant="light">
                          {t(user.banned ? "status.disabled" : "status.active")}
                        </Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ListFooter
              shown={items.length}
              total={total}
              page={page}
              pageSize={pageSize}
              empty={t("users.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
