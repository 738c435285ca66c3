import { AdminWalletsListInput } from "@lectern/api-contract";
import { Anchor, Stack, Table, Text, Title } from "@mantine/core";
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

/** Everyone with a wallet, searchable, with their balances per currency; each opens the wallet's page. */
export function WalletsPage() {
  const { t } = useTranslation();
  usePageTitle(t("wallets.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const parsed = AdminWalletsListInput.safeParse({ query: params.get("q") ?? "", page });
  const input = parsed.success ? parsed.data : AdminWalletsListInput.parse({});
  const wallets = trpc.admin.wallets.list.useQuery(input, { placeholderData: keepPreviousData });

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("wallets.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("wallets.intro")}
        </Text>
      </div>
      <FilterInput
        label={t("wallets.search")}
        placeholder={t("wallets.searchPlaceholder")}
        value={input.query}
        onChange={(q) => update({ q })}
        maw={360}
      />
      <QueryState query={wallets}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("wallets.name")}</Table.Th>
                    <Table.Th>{t("wallets.email")}</Table.Th>
                    <Table.Th>{t("wallets.balances")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((owner) => (
                    <Table.Tr key={owner.id}>
                      <Table.Td>
                        <Anchor component={Link} to={`/wallets/${owner.id}`} dir="auto">
                          {owner.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{owner.email}</Table.Td>
                      <Table.Td>
                        {owner.balances.length === 0 ? (
                          <Text size="sm" c="dimmed" span>
                            {t("wallets.noBalance")}
                          </Text>
                        ) : (
                          owner.balances.map((b) => (
                            <Text key={b.currency} size="sm">
                              {t("wallets.availableShort", { amount: format.money(b.availableMinor, b.currency) })}
                              {b.pendingMinor > 0 &&
                                ` · ${t("wallets.pendingShort", { amount: format.money(b.pendingMinor, b.currency) })}`}
                            </Text>
                          ))
                        )}
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
              empty={t("wallets.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
