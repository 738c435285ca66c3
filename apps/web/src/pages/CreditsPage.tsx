import type { RouterOutputs } from "@lectern/api/router";
import { type CREDIT_HISTORY_KINDS, CURRENCIES } from "@lectern/api-contract";
import { Badge, Button, Card, Group, List, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, SectionLoader } from "../components/Status";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

type Lot = RouterOutputs["credits"]["balance"]["lots"][number];
type Movement = RouterOutputs["credits"]["history"]["items"][number];
type Pack = RouterOutputs["credits"]["packs"][number];

const HISTORY_PAGE_SIZE = 10;

/** The learner's session credits: what is left per pack, every movement, and the packs on offer. */
export function CreditsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="xl" maw={960}>
      <PageHeading>{t("credits.title")}</PageHeading>
      <Balance />
      <History />
      <Packs />
    </Stack>
  );
}

function Balance() {
  const { t } = useTranslation();
  const format = useFormat();
  const balance = trpc.credits.balance.useQuery();
  if (balance.isPending) return <SectionLoader />;
  if (balance.isError) return <LoadError error={balance.error} onRetry={() => void balance.refetch()} />;
  const { totalAvailable, lots } = balance.data;
  return (
    <Stack gap="md">
      <Card withBorder radius="md" padding="lg">
        <Text size="sm" c="dimmed">
          {t("credits.available")}
        </Text>
        <Text fz={40} fw={700} lh={1.2}>
          {format.number(totalAvailable)}
        </Text>
        <Text size="sm" c="dimmed">
          {t("credits.availableHint")}
        </Text>
      </Card>
      <Title order={2} fz="h3">
        {t("credits.lots")}
      </Title>
      {lots.length === 0 ? <Text c="dimmed">{t("credits.noLots")}</Text> : <Lots lots={lots} />}
    </Stack>
  );
}

function Lots({ lots }: { lots: Lot[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("credits.pack")}</Table.Th>
            <Table.Th>{t("credits.remaining")}</Table.Th>
            <Table.Th>{t("credits.reserved")}</Table.Th>
            <Table.Th>{t("credits.lotLength")}</Table.Th>
            <Table.Th>{t("credits.granted")}</Table.Th>
            <Table.Th>{t("credits.expires")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {lots.map((lot) => (
            <Table.Tr key={lot.id} c={lot.expired ? "dimmed" : undefined}>
              <Table.Td>{lot.packName ? <bdi>{lot.packName}</bdi> : t("credits.noPack")}</Table.Td>
              <Table.Td>{t("credits.ofSessions", { remaining: lot.remaining, sessions: lot.sessions })}</Table.Td>
              <Table.Td>{format.number(lot.reserved)}</Table.Td>
              <Table.Td>{t("credits.upTo", { duration: format.duration(lot.sessionMinutes, "minute") })}</Table.Td>
              <Table.Td>{format.date(lot.grantedAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <span>{format.dateTime(lot.expiresAt)}</span>
                  {lot.expired && (
                    <Badge color="red" variant="light">
                      {t("credits.expired")}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const KIND_KEYS = {
  "credit.grant": "grant",
  "credit.reserve": "reserve",
  "credit.refund": "refund",
  "credit.consume": "consume",
  "credit.forfeit": "forfeit",
  "credit.expire": "expire",
} as const satisfies Record<(typeof CREDIT_HISTORY_KINDS)[number], string>;

const isKnownKind = (kind: string): kind is keyof typeof KIND_KEYS => Object.hasOwn(KIND_KEYS, kind);

function History() {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const history = trpc.credits.history.useQuery(
    { page, pageSize: HISTORY_PAGE_SIZE },
    { placeholderData: keepPreviousData },
  );
  return (
    <Stack gap="md">
      <Title order={2} fz="h3">
        {t("credits.history")}
      </Title>
      {history.isPending ? (
        <SectionLoader />
      ) : history.isError ? (
        <LoadError error={history.error} onRetry={() => void history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <Text c="dimmed">{t("credits.noHistory")}</Text>
      ) : (
        <>
          <Movements items={history.data.items} busy={history.isPlaceholderData} />
          <Pager total={history.data.total} page={page} pageSize={HISTORY_PAGE_SIZE} onPage={setPage} />
        </>
      )}
    </Stack>
  );
}

function Movements({ items, busy }: { items: Movement[]; busy: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" striped aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("credits.when")}</Table.Th>
            <Table.Th>{t("credits.movement")}</Table.Th>
            <Table.Th>{t("credits.pack")}</Table.Th>
            <Table.Th>{t("credits.credits")}</Table.Th>
            <Table.Th>{t("credits.change")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={`${item.transactionId}-${item.lotId ?? ""}`}>
              <Table.Td>{format.dateTime(item.createdAt)}</Table.Td>
              <Table.Td>{isKnownKind(item.kind) ? t(`credits.kinds.${KIND_KEYS[item.kind]}`) : item.kind}</Table.Td>
              <Table.Td>{item.packName ? <bdi>{item.packName}</bdi> : "—"}</Table.Td>
              <Table.Td>{format.number(item.credits)}</Table.Td>
              <Table.Td>
                <Text size="sm" span c={item.amount > 0 ? "teal.8" : item.amount < 0 ? "red.8" : "dimmed"}>
                  {item.amount === 0 ? "—" : format.signed(item.amount)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Packs() {
  const { t } = useTranslation();
  const packs = trpc.credits.packs.useQuery();
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2} fz="h3">
          {t("credits.packs")}
        </Title>
        <Button component={Link} to="/credits/buy">
          {t("checkout.buy.title")}
        </Button>
      </Group>
      <Text>{t("credits.packsIntro")}</Text>
      {packs.isPending ? (
        <SectionLoader />
      ) : packs.isError ? (
        <LoadError error={packs.error} onRetry={() => void packs.refetch()} />
      ) : packs.data.length === 0 ? (
        <Text c="dimmed">{t("credits.noPacks")}</Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
          {packs.data.map((pack) => (
            <PackCard key={pack.id} pack={pack} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}

function PackCard({ pack }: { pack: Pack }) {
  const { t } = useTranslation();
  const format = useFormat();
  const prices = CURRENCIES.flatMap((currency) => {
    const amount = pack.prices[currency];
    return amount === undefined ? [] : [[currency, amount] as const];
  });
  return (
    <Card withBorder radius="md" padding="lg" component="article">
      <Stack gap="xs">
        <Title order={3} fz="h4">
          <bdi>{pack.name}</bdi>
        </Title>
        <Text size="sm">{t("credits.packSessions", { value: pack.sessions })}</Text>
        <Text size="sm">{t("credits.packLength", { duration: format.duration(pack.sessionMinutes, "minute") })}</Text>
        <Text size="sm">{t("credits.packValidity", { duration: format.duration(pack.validityDays, "day") })}</Text>
        {prices.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("credits.noPrice")}
          </Text>
        ) : (
          <div>
            <Text size="sm" fw={500} id={`prices-${pack.id}`}>
              {t("credits.prices")}
            </Text>
            <List size="sm" listStyleType="none" aria-labelledby={`prices-${pack.id}`}>
              {prices.map(([currency, amount]) => (
                <List.Item key={currency}>
                  <Text span fw={700} fz="lg">
                    {format.money(amount, currency)}
                  </Text>
                </List.Item>
              ))}
            </List>
          </div>
        )}
      </Stack>
    </Card>
  );
}
