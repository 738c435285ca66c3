import { Burger, Button, Group, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";
import { LanguageSelect } from "../components/LanguageSelect.tsx";
import { signOut } from "../lib/sign-out.ts";
import type { Me } from "../lib/trpc.ts";
import classes from "./Layout.module.css";

const NAV = [
  { to: "/users", label: "nav.users" },
  { to: "/sessions", label: "nav.sessions" },
  { to: "/disputes", label: "nav.disputes" },
  { to: "/packs", label: "nav.packs" },
  { to: "/teachers", label: "nav.teachers" },
  { to: "/payroll", label: "nav.payroll" },
  { to: "/orders", label: "orders.nav" },
  { to: "/revenue", label: "revenue.nav" },
  { to: "/wallets", label: "wallets.nav" },
  { to: "/withdrawals/review", label: "withdrawals.navReview" },
  { to: "/payouts", label: "withdrawals.navPayouts" },
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
    <div className={classes.root}>
      <a href="#main" className="skip-link">
        {t("nav.skip")}
      </a>
      <header className={classes.header}>
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
      </header>
      <nav className={classes.navbar} data-opened={opened || undefined}>
        {NAV.map(({ to, label }) => (
          <Link
            key={to}
            className={classes.link}
            to={to}
            data-active={pathname.startsWith(to) || undefined}
            onClick={close}
          >
            {t(label)}
          </Link>
        ))}
      </nav>
      {/* The skip link's target: focusable so keyboard focus moves past the navigation too. */}
      <main className={classes.main} id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
