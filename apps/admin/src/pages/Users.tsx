import { ROLES, SearchUsersInput } from "@lectern/api-contract";
import { Anchor, Badge, Group, Select, Stack, Table, Title, UnstyledButton } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type SortField = SearchUsersInput["sortBy"];

const COLUMNS = [
  { field: "name", label: "users.name" },
  { field: "email", label: "users.email" },
  { field: "role", label: "users.role" },
  { field: "createdAt", label: "users.created" },
] as const;

/** Reads the filters from the URL; anything malformed there falls back to the defaults. */
function readInput(params: URLSearchParams, page: number): SearchUsersInput {
  const parsed = SearchUsersInput.safeParse({
    query: params.get("q") ?? "",
    role: params.get("role") ?? undefined,
    status: params.get("status") ?? undefined,
    sortBy: params.get("sort") ?? undefined,
    sortDir: params.get("dir") ?? undefined,
    page,
  });
  return parsed.success ? parsed.data : SearchUsersInput.parse({});
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
        <Select
          label={t("users.role")}
          placeholder={t("users.allRoles")}
          data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
          value={input.role ?? null}
          onChange={(role) => update({ role })}
          clearable
          w={160}
        />
        <Select
          label={t("users.status")}
          placeholder={t("users.allStatuses")}
          data={[
            { value: "active", label: t("status.active") },
            { value: "disabled", label: t("status.disabled") },
          ]}
          value={input.status ?? null}
          onChange={(status) => update({ status })}
          clearable
          w={160}
        />
      </Group>
      <QueryState query={users}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    {COLUMNS.map(({ field, label }) => {
                      const active = input.sortBy === field;
                      return (
                        <Table.Th
                          key={field}
                          aria-sort={active ? (input.sortDir === "asc" ? "ascending" : "descending") : undefined}
                        >
                          <UnstyledButton fw={700} fz="sm" onClick={() => sortBy(field)}>
                            {t(label)} {active ? (input.sortDir === "asc" ? "▲" : "▼") : ""}
                          </UnstyledButton>
                        </Table.Th>
                      );
                    })}
                    <Table.Th>{t("users.status")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((user) => (
                    <Table.Tr key={user.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/users/${user.id}`} dir="auto">
                          {user.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{user.email}</Table.Td>
                      <Table.Td>{t(`roles.${user.role}`)}</Table.Td>
                      <Table.Td>{format.date(user.createdAt)}</Table.Td>
                      <Table.Td>
                        <Badge color={user.banned ? "red" : "green"} variant="light">
                          {t(user.banned ? "status.disabled" : "status.active")}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
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
