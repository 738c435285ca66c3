import type { RouterOutputs } from "@lectern/api/router";
import { DisableUserInput, ROLES, Role } from "@lectern/api-contract";
import {
  Anchor,
  Badge,
  Button,
  DataList,
  Divider,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Timeline,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ConfirmModal } from "../components/ConfirmModal.tsx";
import { LearnerCredits } from "../components/LearnerCredits.tsx";
import { QueryState } from "../components/QueryState.tsx";
import { ReasonModal } from "../components/ReasonModal.tsx";
import { UserSessionsLink } from "../components/sessions/UserSessionsLink.tsx";
import { formResolver, notifyError, notifySuccess, showFormError } from "../lib/errors.ts";
import { useFormat } from "../lib/format.ts";
import { isLocale, LANGUAGES } from "../lib/i18n.ts";
import { usePageTitle } from "../lib/title.ts";
import { trpc } from "../lib/trpc.ts";

type User = RouterOutputs["admin"]["users"]["get"];

export function UserDetailPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const user = trpc.admin.users.get.useQuery({ userId: id });
  usePageTitle(user.data?.name ?? t("users.title"));
  return (
    <Stack>
      <Anchor component={Link} to="/users" size="sm">
        {t("user.back")}
      </Anchor>
      <QueryState query={user}>{(detail) => <UserDetail key={detail.id} user={detail} />}</QueryState>
    </Stack>
  );
}

function UserDetail({ user }: { user: User }) {
  const utils = trpc.useUtils();
  // Every action answers with the updated user; lists that show it are now stale.
  const onUpdated = (updated: User) => {
    utils.admin.users.get.setData({ userId: updated.id }, updated);
    void utils.admin.users.search.invalidate();
    void utils.admin.audit.list.invalidate();
  };
  return (
    <Stack>
      <div>
        <Title order={1} size="h2" dir="auto">
          {user.name}
        </Title>
        <Text c="dimmed">{user.email}</Text>
        <UserSessionsLink user={user} />
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Facts user={user} />
        </Paper>
        <Paper withBorder p="md">
          <Actions user={user} onUpdated={onUpdated} />
        </Paper>
      </SimpleGrid>
      {user.role === "learner" && (
        <Paper withBorder p="md">
          <LearnerCredits learner={user} />
        </Paper>
      )}
      <Paper withBorder p="md">
        <Activity user={user} />
      </Paper>
    </Stack>
  );
}

function Facts({ user }: { user: User }) {
  const { t } = useTranslation();
  const format = useFormat();
  const facts: [string, ReactNode][] = [
    [t("user.role"), t(`roles.${user.role}`)],
    [
      t("user.status"),
      user.banned ? (
        <Stack gap={4} align="flex-start">
          <Badge color="red" variant="light">
            {t("status.disabled")}
          </Badge>
          {user.banReason && <Text size="sm">{t("user.disabledBecause", { reason: user.banReason })}</Text>}
        </Stack>
      ) : (
        <Badge color="green" variant="light">
          {t("status.active")}
        </Badge>
      ),
    ],
    [t("user.verified"), t(user.emailVerified ? "common.yes" : "common.no")],
    [t("user.timezone"), user.timezone],
    [t("user.language"), isLocale(user.locale) ? LANGUAGES[user.locale] : user.locale],
    [t("user.created"), format.dateTime(user.createdAt)],
    [t("user.sessions"), user.activeSessions],
    [t("user.lastSignIn"), user.lastSignInAt ? format.dateTime(user.lastSignInAt) : t("user.never")],
  ];
  return (
    <DataList labelWidth={160}>
      {facts.map(([label, value]) => (
        <DataList.Item key={label}>
          <DataList.ItemLabel>{label}</DataList.ItemLabel>
          <DataList.ItemValue>{value}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

function Actions({ user, onUpdated }: { user: User; onUpdated: (user: User) => void }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<Role>(user.role);
  const [dialog, setDialog] = useState<"role" | "disable" | "impersonate" | null>(null);
  const close = () => setDialog(null);
  const webUrl = trpc.account.appConfig.useQuery().data?.webUrl;

  const saveRole = trpc.admin.users.setRole.useMutation({
    onSuccess: (updated) => {
      onUpdated(updated);
      notifySuccess(t("user.roleSaved", { name: updated.name, role: t(`roles.${updated.role}`) }));
    },
    onError: (error) => {
      setRole(user.role);
      notifyError(error);
    },
    onSettled: close,
  });
  const enable = trpc.admin.users.enable.useMutation({
    onSuccess: (updated) => {
      onUpdated(updated);
      notifySuccess(t("user.enabled", { name: updated.name }));
    },
    onError: notifyError,
  });
  const sendReset = trpc.admin.users.sendPasswordReset.useMutation({
    onSuccess: () => notifySuccess(t("user.resetSent", { email: user.email })),
    onError: notifyError,
  });
  // The session is now the user's: the web app shows what they see, with the impersonation banner.
  const impersonate = trpc.admin.users.impersonate.useMutation({
    onSuccess: () => window.location.assign(webUrl ?? "/"),
    onError: (error) => {
      close();
      notifyError(error);
    },
  });

  return (
    <Stack>
      <Title order={2} size="h4">
        {t("user.actions")}
      </Title>
      <Group align="flex-end">
        <Select
          label={t("user.role")}
          data={ROLES.map((value) => ({ value, label: t(`roles.${value}`) }))}
          value={role}
          onChange={(value) => {
            const next = Role.safeParse(value);
            if (next.success) setRole(next.data);
          }}
          allowDeselect={false}
          w={180}
        />
        <Button onClick={() => setDialog("role")} disabled={role === user.role}>
          {t("user.saveRole")}
        </Button>
      </Group>
      <Divider />
      <Group>
        {user.banned ? (
          <Button color="green" loading={enable.isPending} onClick={() => enable.mutate({ userId: user.id })}>
            {t("user.enable")}
          </Button>
        ) : (
          <Button color="red" variant="light" onClick={() => setDialog("disable")}>
            {t("user.disable")}
          </Button>
        )}
        <Button
          variant="default"
          disabled={user.role === "admin"}
          loading={sendReset.isPending}
          onClick={() => sendReset.mutate({ userId: user.id })}
        >
          {t("user.reset")}
        </Button>
        {user.role === "admin" && (
          <Text size="sm" c="dimmed">
            {t("user.resetAdmin")}
          </Text>
        )}
      </Group>
      <Divider />
      <Group>
        <Button variant="outline" disabled={user.role === "admin"} onClick={() => setDialog("impersonate")}>
          {t("user.impersonate")}
        </Button>
        {user.role === "admin" && (
          <Text size="sm" c="dimmed">
            {t("user.impersonateAdmin")}
          </Text>
        )}
      </Group>

      <ConfirmModal
        opened={dialog === "role"}
        title={t("user.roleTitle")}
        loading={saveRole.isPending}
        onConfirm={() => saveRole.mutate({ userId: user.id, role })}
        onClose={close}
      >
        {t("user.roleText", { name: user.name, from: t(`roles.${user.role}`), to: t(`roles.${role}`) })}
      </ConfirmModal>
      <DisableModal user={user} opened={dialog === "disable"} onClose={close} onDisabled={onUpdated} />
      <ConfirmModal
        opened={dialog === "impersonate"}
        title={t("user.impersonateTitle", { name: user.name })}
        color="orange"
        loading={impersonate.isPending || impersonate.isSuccess}
        onConfirm={() => impersonate.mutate({ userId: user.id })}
        onClose={close}
      >
        {t("user.impersonateText", { name: user.name })}
      </ConfirmModal>
    </Stack>
  );
}

const ReasonInput = DisableUserInput.pick({ reason: true });

interface DisableModalProps {
  user: User;
  opened: boolean;
  onClose: () => void;
  onDisabled: (user: User) => void;
}

function DisableModal({ user, opened, onClose, onDisabled }: DisableModalProps) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { reason: "" }, validate: formResolver(ReasonInput) });
  const cancel = () => {
    form.reset();
    onClose();
  };
  const disable = trpc.admin.users.disable.useMutation({
    onSuccess: (updated) => {
      onDisabled(updated);
      cancel();
      notifySuccess(t("user.disabled", { name: updated.name }));
    },
    onError: (error) =>
      showFormError(error, form, {
        notify: (failure) => {
          cancel();
          notifyError(failure);
        },
      }),
  });
  return (
    <ReasonModal
      opened={opened}
      onClose={cancel}
      title={t("user.disableTitle", { name: user.name })}
      onSubmit={form.onSubmit(({ reason }) => disable.mutate({ userId: user.id, reason }))}
      label={t("user.reason")}
      input={form.getInputProps("reason")}
      cancelLabel={t("common.cancel")}
      confirmLabel={t("common.confirm")}
      color="red"
      loading={disable.isPending}
    >
      <Text size="sm">{t("user.disableText")}</Text>
    </ReasonModal>
  );
}

function Activity({ user }: { user: User }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t("user.activity")}
        </Title>
        <Anchor component={Link} to={`/audit?person=${encodeURIComponent(user.id)}`} size="sm">
          {t("user.activityAll")}
        </Anchor>
      </Group>
      {user.recentAudit.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("user.activityEmpty")}
        </Text>
      ) : (
        <Timeline bulletSize={12} lineWidth={2}>
          {user.recentAudit.map((entry) => (
            <Timeline.Item key={entry.id} title={format.action(entry.action)}>
              <Text size="xs" c="dimmed">
                {format.dateTime(entry.createdAt)} ·{" "}
                {!entry.actor
                  ? t("audit.system")
                  : entry.impersonator
                    ? t("audit.adminAsUser", { admin: entry.impersonator.name, user: entry.actor.name })
                    : entry.actor.name}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}
