import type { RouterOutputs } from "@lectern/api/router";
import { GrantPackInput } from "@lectern/api-contract";
import { Badge, Button, Group, Modal, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formResolver, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { trpc } from "../lib/trpc.ts";
import { ListFooter } from "./ListFooter.tsx";
import { QueryState } from "./QueryState.tsx";

type Credits = RouterOutputs["admin"]["credits"]["forLearner"];
type Lot = Credits["balance"]["lots"][number];
type Movement = Credits["history"]["items"][number];

const HISTORY_PAGE_SIZE = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A learner's credits on their user page: the balance per lot, the history, and granting a pack. */
export function LearnerCredits({ learner }: { learner: { id: string; name: string } }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const [granting, setGranting] = useState(false);
  const credits = trpc.admin.credits.forLearner.useQuery(
    { learnerId: learner.id, page, pageSize: HISTORY_PAGE_SIZE },
    { placeholderData: keepPreviousData },
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t("credits.title")}
        </Title>
        <Button onClick={() => setGranting(true)}>{t("credits.grant")}</Button>
      </Group>
      <QueryState query={credits}>
        {({ balance, history }) => (
          <>
            <div>
              <Text size="sm" c="dimmed">
                {t("credits.available")}
              </Text>
              <Text fz={28} fw={700} lh={1.2}>
                {format.number(balance.totalAvailable)}
              </Text>
            </div>
            <Title order={3} size="h5">
              {t("credits.lots")}
            </Title>
            {balance.lots.length === 0 ? (
              <Text c="dimmed" size="sm">
                {t("credits.noLots")}
              </Text>
            ) : (
              <Lots lots={balance.lots} />
            )}
            <Title order={3} size="h5">
              {t("credits.history")}
            </Title>
            {history.items.length > 0 && <History items={history.items} />}
            <ListFooter
              shown={history.items.length}
              total={history.total}
              page={page}
              pageSize={history.pageSize}
              empty={t("credits.noHistory")}
              onPage={setPage}
            />
          </>
        )}
      </QueryState>
      <GrantModal
        key={String(granting)}
        learner={learner}
        opened={granting}
        onClose={() => setGranting(false)}
        onGranted={() => setPage(1)}
      />
    </Stack>
  );
}

function Lots({ lots }: { lots: Lot[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs">
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
            <Table.Tr key={lot.id}>
              <Table.Td dir="auto">{lot.packName ?? t("credits.noPack")}</Table.Td>
              <Table.Td>
                {t("credits.ofSessions", {
                  remaining: format.number(lot.remaining),
                  sessions: format.number(lot.sessions),
                })}
              </Table.Td>
              <Table.Td>{format.number(lot.reserved)}</Table.Td>
              <Table.Td>{t("common.minutes", { minutes: format.number(lot.sessionMinutes) })}</Table.Td>
              <Table.Td>{format.date(lot.grantedAt)}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm">{format.dateTime(lot.expiresAt)}</Text>
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

function History({ items }: { items: Movement[] }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const kind = (code: string) => {
    const key = `credits.kinds.${code.replaceAll(".", "_")}`;
    return i18n.exists(key) ? t(key) : code;
  };
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs">
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
              <Table.Td>{kind(item.kind)}</Table.Td>
              <Table.Td dir="auto">{item.packName ?? "—"}</Table.Td>
              <Table.Td>{format.number(item.credits)}</Table.Td>
              <Table.Td>
                <Text size="sm" c={item.amount > 0 ? "green" : item.amount < 0 ? "red" : "dimmed"} span>
                  {format.signed(item.amount)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const PackChoice = GrantPackInput.pick({ packId: true });

interface GrantModalProps {
  learner: { id: string; name: string };
  opened: boolean;
  onClose: () => void;
  onGranted: () => void;
}

function GrantModal({ learner, opened, onClose, onGranted }: GrantModalProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const utils = trpc.useUtils();
  const packs = trpc.admin.packs.list.useQuery(undefined, { enabled: opened });
  const form = useForm<{ packId: string | null }>({
    initialValues: { packId: null },
    validate: (values) => formResolver(PackChoice)({ packId: values.packId ?? undefined }),
  });
  const grant = trpc.admin.credits.grant.useMutation({
    onSuccess: (lot) => {
      void utils.admin.credits.forLearner.invalidate({ learnerId: learner.id });
      void utils.admin.packs.list.invalidate();
      void utils.admin.users.get.invalidate({ userId: learner.id });
      void utils.admin.audit.list.invalidate();
      onGranted();
      onClose();
      notifySuccess(t("credits.grantedNotice", { name: learner.name, pack: lot.packName ?? "" }));
    },
    onError: (error) => showFormError(error, form),
  });

  return (
    <Modal opened={opened} onClose={onClose} title={t("credits.grantTitle", { name: learner.name })} centered>
      <QueryState query={packs}>
        {(all) => {
          const active = all.filter((pack) => pack.active);
          const chosen = active.find((pack) => pack.id === form.values.packId);
          return (
            <form
              onSubmit={form.onSubmit(({ packId }) => {
                if (packId) grant.mutate({ learnerId: learner.id, packId });
              })}
              noValidate
            >
              <Stack>
                {active.length === 0 ? (
                  <Text size="sm">{t("credits.noActivePacks")}</Text>
                ) : (
                  <Select
                    label={t("credits.pack")}
                    placeholder={t("credits.choosePack")}
                    required
                    data-autofocus
                    data={active.map((pack) => ({
                      value: pack.id,
                      label: t("credits.packOption", {
                        name: pack.name,
                        sessions: format.number(pack.sessions),
                        minutes: format.number(pack.sessionMinutes),
                      }),
                    }))}
                    {...form.getInputProps("packId")}
                  />
                )}
                {chosen && (
                  <Text size="sm">
                    {t("credits.grantText", {
                      sessions: format.number(chosen.sessions),
                      date: format.date(new Date(Date.now() + chosen.validityDays * DAY_MS)),
                    })}
                  </Text>
                )}
                <Group justify="flex-end">
                  <Button variant="default" onClick={onClose}>
                    {t("common.cancel")}
                  </Button>
                  <Button type="submit" loading={grant.isPending} disabled={active.length === 0}>
                    {t("common.confirm")}
                  </Button>
                </Group>
              </Stack>
            </form>
          );
        }}
      </QueryState>
    </Modal>
  );
}
