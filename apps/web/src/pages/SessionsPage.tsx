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
type Which = "upcoming" | "past";

/** The viewer's sessions, as learner or teacher: upcoming soonest first, past latest first. */
export function SessionsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab: Which = params.get("tab") === "past" ? "past" : "upcoming";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const go = (next: { tab?: Which; page?: number }) =>
    setParams(() => {
      const copy = new URLSearchParams();
      const nextTab = next.tab ?? tab;
      if (nextTab === "past") copy.set("tab", "past");
      if ((next.page ?? 1) > 1) copy.set("page", String(next.page));
      return copy;
    });

  return (
    <Stack gap="lg" maw={1100}>
      <PageHeading>{t("sessions.title")}</PageHeading>
      <Tabs value={tab} onChange={(value) => go({ tab: value === "past" ? "past" : "upcoming" })}>
        <Tabs.List>
          <Tabs.Tab value="upcoming">{t("sessions.upcoming")}</Tabs.Tab>
          <Tabs.Tab value="past">{t("sessions.past")}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="upcoming" pt="md">
          {tab === "upcoming" && <SessionList which="upcoming" page={page} onPage={(p) => go({ page: p })} />}
        </Tabs.Panel>
        <Tabs.Panel value="past" pt="md">
          {tab === "past" && <SessionList which="past" page={page} onPage={(p) => go({ page: p })} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function SessionList({ which, page, onPage }: { which: Which; page: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const procedure = which === "upcoming" ? trpc.tutoring.sessions.upcoming : trpc.tutoring.sessions.past;
  const list = procedure.useQuery({ page, pageSize: PAGE_SIZE }, { placeholderData: (previous) => previous });
  if (list.isPending) return <SectionLoader />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data.items.length === 0)
    return (
      <Stack align="flex-start" gap="sm">
        <Text c="dimmed" role="status">
          {t(which === "upcoming" ? "sessions.noUpcoming" : "sessions.noPast")}
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
