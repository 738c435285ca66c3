import type { RouterOutputs } from "@lectern/api/router";
import type { Currency } from "@lectern/api-contract";
import { Anchor, Button, Card, Group, NativeSelect, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { FailureAlert, LoadError, SectionLoader } from "../components/Status";
import { toFailure } from "../lib/errors";
import { useFormat } from "../lib/format";
import { trpc } from "../lib/trpc";

type Pack = RouterOutputs["payments"]["packs"]["packs"][number];

/** The packs on sale, priced in the chosen currency; Buy opens an order and goes to the provider's page. */
export function BuyCreditsPage() {
  const { t } = useTranslation();
  const offer = trpc.payments.packs.useQuery();
  const [chosen, setChosen] = useState<Currency | null>(null);
  const start = trpc.payments.checkout.start.useMutation({
    onSuccess: ({ url }) => window.location.assign(url),
  });
  const currency = chosen ?? offer.data?.defaultCurrency ?? "USD";
  const failure = start.error ? toFailure(start.error, t) : undefined;
  return (
    <Stack gap="lg" maw={960}>
      <PageHeading>{t("checkout.buy.title")}</PageHeading>
      <Text>{t("checkout.buy.intro")}</Text>
      {offer.isPending ? (
        <SectionLoader />
      ) : offer.isError ? (
        <LoadError error={offer.error} onRetry={() => void offer.refetch()} />
      ) : offer.data.packs.length === 0 ? (
        <Text c="dimmed">{t("checkout.buy.noPacks")}</Text>
      ) : (
        <>
          <NativeSelect
            label={t("checkout.buy.currency")}
            data={offer.data.currencies}
            value={currency}
            onChange={(event) => setChosen(event.currentTarget.value as Currency)}
            maw={200}
            error={failure?.fieldErrors.currency}
          />
          <FailureAlert message={failure && !failure.fieldErrors.currency ? failure.message : undefined} />
          {start.isSuccess && (
            <Text role="status" c="dimmed">
              {t("checkout.buy.redirecting")}
            </Text>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
            {offer.data.packs.map((pack) => (
              <PackOffer
                key={pack.id}
                pack={pack}
                currency={currency}
                busy={start.isPending || start.isSuccess}
                loading={start.isPending && start.variables?.packId === pack.id}
                onBuy={() => start.mutate({ packId: pack.id, currency })}
              />
            ))}
          </SimpleGrid>
        </>
      )}
      <Anchor component={Link} to="/orders">
        {t("checkout.buy.ordersLink")}
      </Anchor>
    </Stack>
  );
}

function PackOffer(props: { pack: Pack; currency: Currency; busy: boolean; loading: boolean; onBuy: () => void }) {
  const { pack, currency } = props;
  const { t } = useTranslation();
  const format = useFormat();
  const price = pack.prices[currency];
  return (
    <Card withBorder radius="md" padding="lg" component="article">
      <Stack gap="xs" h="100%">
        <Title order={2} fz="h4">
          <bdi>{pack.name}</bdi>
        </Title>
        <Text size="sm">{t("checkout.buy.sessions", { value: pack.sessions })}</Text>
        <Text size="sm">{t("checkout.buy.length", { duration: format.duration(pack.sessionMinutes, "minute") })}</Text>
        <Text size="sm">{t("checkout.buy.validity", { duration: format.duration(pack.validityDays, "day") })}</Text>
        <Group justify="space-between" mt="auto" pt="sm" wrap="nowrap">
          {price === undefined ? (
            <Text size="sm" c="dimmed">
              {t("checkout.buy.notSold", { currency })}
            </Text>
          ) : (
            <Text fw={700} fz="xl">
              {format.money(price, currency)}
            </Text>
          )}
          <Button
            onClick={props.onBuy}
            disabled={price === undefined || props.busy}
            loading={props.loading}
            aria-label={t("checkout.buy.buyPack", { name: pack.name })}
          >
            {t("checkout.buy.buyButton")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
