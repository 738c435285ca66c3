import type { RouterOutputs } from "@lectern/api/router";
import { ListOutboxInput } from "@lectern/api-contract";
import {
  Alert,
  Anchor,
  Badge,
  DataList,
  Drawer,
  Group,
  type MantineColor,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { keepPreviousData } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { FilterInput } from "../components/FilterInput.tsx";
import { ListFooter } from "../components/ListFooter.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { useFormat } from "../lib/format.ts";
import { useFilters } from "../lib/search-params.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type Email = RouterOutputs["admin"]["outbox"]["list"]["items"][number];

const STATUS_COLORS: Record<Email["status"], MantineColor> = {
  queued: "gray",
  sent: "green",
  logged: "blue",
  failed: "red",
};

function StatusBadge({ status }: { status: Email["status"] }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="light">
      {t(`outbox.statuses.${status}`)}
    </Badge>
  );
}

/** The stored copy of a secret-bearing email, whose link went out by SMTP only. */
function RedactedBadge() {
  const { t } = useTranslation();
  return (
    <Badge color="gray" variant="outline">
      {t("outbox.redacted")}
    </Badge>
  );
}

export function OutboxPage() {
  const { t } = useTranslation();
  usePageTitle(t("outbox.title"));
  const format = useFormat();
  const { params, page, update } = useFilters();
  const parsed = ListOutboxInput.safeParse({ to: params.get("to") || undefined, page });
  const emails = trpc.admin.outbox.list.useQuery(parsed.success ? parsed.data : ListOutboxInput.parse({}), {
    placeholderData: keepPreviousData,
  });
  const [selected, setSelected] = useState<Email | null>(null);

  return (
    <Stack>
      <div>
        <Title order={1} size="h2">
          {t("outbox.title")}
        </Title>
        <Text c="dimmed" size="sm">
          {t("outbox.intro")}
        </Text>
      </div>
      <FilterInput
        label={t("outbox.recipient")}
        placeholder={t("outbox.recipientPlaceholder")}
        value={params.get("to") ?? ""}
        onChange={(to) => update({ to })}
        maw={360}
      />
      <QueryState query={emails}>
        {({ items, total, pageSize }) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover verticalSpacing="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("outbox.to")}</Table.Th>
                    <Table.Th>{t("outbox.subject")}</Table.Th>
                    <Table.Th>{t("outbox.template")}</Table.Th>
                    <Table.Th>{t("outbox.status")}</Table.Th>
                    <Table.Th>{t("outbox.attempts")}</Table.Th>
                    <Table.Th>{t("outbox.created")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((email) => (
                    <Table.Tr key={email.id} onClick={() => setSelected(email)} style={{ cursor: "pointer" }}>
                      <Table.Td>{email.toAddress}</Table.Td>
                      <Table.Td>
                        {/* The row opens the email; the subject is its keyboard-reachable button. */}
                        <Anchor component="button" type="button" size="sm" dir="auto" ta="start">
                          {email.subject}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{email.template}</Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          <StatusBadge status={email.status} />
                          {email.redacted && <RedactedBadge />}
                        </Group>
                      </Table.Td>
                      <Table.Td>{email.attempts}</Table.Td>
                      <Table.Td>{format.dateTime(email.createdAt)}</Table.Td>
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
              empty={t("outbox.empty")}
              onPage={(next) => update({ page: String(next) })}
            />
          </>
        )}
      </QueryState>
      <EmailDrawer email={selected} onClose={() => setSelected(null)} />
    </Stack>
  );
}

function EmailDrawer({ email, onClose }: { email: Email | null; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const facts: [string, ReactNode][] = email
    ? [
        [t("outbox.to"), email.toAddress],
        [t("outbox.template"), email.template],
        [t("outbox.status"), <StatusBadge key="status" status={email.status} />],
        [t("outbox.attempts"), email.attempts],
        [t("outbox.created"), format.dateTime(email.createdAt)],
        [t("outbox.sentAt"), email.sentAt ? format.dateTime(email.sentAt) : "—"],
        ...(email.ics ? [[t("outbox.invitation"), "✓"] as [string, ReactNode]] : []),
        ...(email.lastError ? [[t("outbox.lastError"), email.lastError] as [string, ReactNode]] : []),
      ]
    : [];
  return (
    <Drawer
      opened={email !== null}
      onClose={onClose}
      closeButtonProps={{ "aria-label": t("outbox.close") }}
      position="right"
      size="lg"
      title={
        <Text fw={700} dir="auto">
          {email?.subject}
        </Text>
      }
    >
      {email && (
        <Stack>
          <DataList labelWidth={140}>
            {facts.map(([label, value]) => (
              <DataList.Item key={label}>
                <DataList.ItemLabel>{label}</DataList.ItemLabel>
                <DataList.ItemValue>{value}</DataList.ItemValue>
              </DataList.Item>
            ))}
          </DataList>
          {email.redacted && (
            <Alert color="blue" title={t("outbox.redacted")}>
              {t("outbox.redactedNote")}
            </Alert>
          )}
          <Text fw={600}>{t("outbox.message")}</Text>
          <Paper withBorder p="md">
            <Text size="sm" dir="auto" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              <Linkified text={email.textBody} />
            </Text>
          </Paper>
        </Stack>
      )}
    </Drawer>
  );
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

/** Plain text with its web addresses turned into links (how developers follow verification and reset links). */
function Linkified({ text }: { text: string }) {
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    nodes.push(text.slice(last, match.index));
    nodes.push(
      <Anchor key={match.index} href={match[0]} target="_blank" rel="noreferrer" dir="ltr">
        {match[0]}
      </Anchor>,
    );
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}
