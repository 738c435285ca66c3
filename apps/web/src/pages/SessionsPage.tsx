import { Button, Stack, Tabs, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { PageHeading } from "../components/PageHeading";
import { Pager } from "../components/Pager";
import { LoadError, SectionLoader } from "../components/Status";
import { SessionsTable } from "../components/tutoring/SessionsTable";
import { isLearner, useCurrentUser } from "../lib/session";
import { trpc } from "../lib/trpc";

const PAGE_SIZE = 10;
const TABS = ["upcoming", "past", "cancelled"] as const;
type Which = (typeof TABS)[number];
const asTab = (value: string | null): Which => TABS.find((tab) => tab === value) ?? "upcoming";
const LABEL = { upcoming: "sessions.upcoming", past: "sessions.past", cancelled: "sessions.cancelledTab" } as const;
const EMPTY = { upcoming: "sessions.noUpcoming", past: "sessions.noPast", cancelled: "sessions.noCancelled" } as const;

/** The viewer's sessions, as learner or teacher: upcoming soonest first, past and cancelled latest first. */
export function SessionsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = asTab(params.get("tab"));
  const page = Math.max(1, Number(params.get("page")) || 1);
  const go = (next: { tab?: Which; page?: number }) =>
    setParams(() => {
      const copy = new URLSearchParams();
      const nextTab = next.tab ?? tab;
      if (nextTab !== "upcoming") copy.set("tab", nextTab);
      if ((next.page ?? 1) > 1) copy.set("page", String(next.page));
      return copy;
    });

  return (
    <Stack gap="lg" maw={1100}>
      <PageHeading>{t("sessions.title")}</PageHeading>
      <Tabs value={tab} onChange={(value) => go({ tab: asTab(value) })}>
        <Tabs.List>
          {TABS.map((which) => (
            <Tabs.Tab key={which} value={which}>
              {t(LABEL[which])}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {TABS.map((which) => (
          <Tabs.Panel key={which} value={which} pt="md">
            {tab === which && <SessionList which={which} page={page} onPage={(p) => go({ page: p })} />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

function SessionList({ which, page, onPage }: { which: Which; page: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const procedure = trpc.tutoring.sessions[which];
  const list = procedure.useQuery({ page, pageSize: PAGE_SIZE }, { placeholderData: (previous) => previous });
  if (list.isPending) return <SectionLoader />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0)
    return (
      <Stack align="flex-start" gap="sm">
        <Text c="dimmed" role="status">
          {t(EMPTY[which])}
        </Text>
        {which === "upcoming" && isLearner(me) && (
          <Button component={Link} to="/teachers" variant="light">
            {t("sessions.findTeacher")}
          </Button>
        )}
      </Stack>
    );
  return (
    <Stack gap="md" aria-busy={list.isFetching}>
      <SessionsTable items={list.data.items} withJoin={which === "upcoming"} />
      <Pager total={list.data.total} page={page} pageSize={PAGE_SIZE} onPage={onPage} />
    </Stack>
  );
}
