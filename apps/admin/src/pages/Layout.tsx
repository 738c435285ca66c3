import { AppShell, Burger, Button, Group, NavLink, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { signOut } from "../lib/sign-out.ts";
import type { Me } from "../lib/trpc.ts";

const NAV = [
  { to: "/users", label: "nav.users" },
  { to: "/sessions", label: "nav.sessions" },
  { to: "/disputes", label: "nav.disputes" },
  { to: "/packs", label: "nav.packs" },
  { to: "/teachers", label: "nav.teachers" },
  { to: "/payroll", label: "nav.payroll" },
  { to: "/reviews", label: "nav.reviews" },
  { to: "/audit", label: "nav.audit" },
  { to: "/outbox", label: "nav.outbox" },
  { to: "/provider-events", label: "nav.providerEvents" },
  { to: "/health", label: "nav.health" },
] as const;

export function Layout({ me }: { me: Me }) {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 220, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t("nav.skip")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("nav.toggle")} />
            <Text fw={700} visibleFrom="xs">
              {t("app.name")}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="sm" dir="auto">
              {me.name}
            </Text>
            <LanguageSelect />
            <Button variant="default" onClick={signOut}>
              {t("common.signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {NAV.map(({ to, label }) => (
          <NavLink
            key={to}
            component={Link}
            to={to}
            label={t(label)}
            active={pathname.startsWith(to)}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      {/* The skip link's target: focusable so keyboard focus moves past the navigation too. */}
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
