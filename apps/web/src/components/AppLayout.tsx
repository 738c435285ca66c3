import { Burger, Button, type ButtonProps, em, Group, getBreakpointValue, Text, useMantineTheme } from "@mantine/core";
import { useDisclosure, useElementSize, useMediaQuery } from "@mantine/hooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ComponentPropsWithRef, type CSSProperties, lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation, useNavigate } from "react-router";
import { authCall, toFailure } from "../lib/errors";
import { notifyFailure } from "../lib/notify";
import { canTeach, isLearner, useCurrentUser } from "../lib/session";
import classes from "./AppLayout.module.css";
import { ImpersonationBanner } from "./ImpersonationBanner";
import { LanguageSwitch } from "./LanguageSwitch";

const BAR_HEIGHT = 60;

/** The signed-in frame: impersonation banner, header, navigation, and the page. */
export function AppLayout() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [navOpened, nav] = useDisclosure();
  // The header grows by the banner's height, which depends on how its text wraps.
  const header = useElementSize();
  // Below "sm" the navigation is a drawer: while it is closed it is off screen, so keep it out of
  // the tab order and the accessibility tree too.
  const theme = useMantineTheme();
  const phone = useMediaQuery(`(max-width: ${em(getBreakpointValue("sm", theme.breakpoints) - 0.1)})`);

  return (
    <>
      <SkipLink />
      <div
        className={classes.root}
        style={{ "--shell-header-height": `${Math.max(header.height, BAR_HEIGHT) + 1}px` } as CSSProperties}
      >
        <header className={classes.header}>
          <div ref={header.ref}>
            {me.impersonator && <ImpersonationBanner me={me} impersonator={me.impersonator} />}
            <Group h={BAR_HEIGHT} px="md" justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <Burger
                  opened={navOpened}
                  onClick={nav.toggle}
                  hiddenFrom="sm"
                  size="sm"
                  aria-label={t("nav.toggle")}
                />
                <Text component={Link} to="/" fw={700} fz="xl" c="indigo.7">
                  {t("common.appName")}
                </Text>
              </Group>
              <Group gap="sm" wrap="nowrap">
                <LanguageSwitch />
                {/* On a phone the navigation drawer holds the profile link and sign-out. */}
                <Suspense fallback={<UserMenuButton visibleFrom="sm" />}>
                  <UserMenu visibleFrom="sm" />
                </Suspense>
              </Group>
            </Group>
          </div>
        </header>
        <nav
          className={classes.navbar}
          data-opened={navOpened || undefined}
          aria-label={t("nav.main")}
          inert={phone && !navOpened}
        >
          <div className={classes.grow}>
            <NavItems onNavigate={nav.close} />
          </div>
          <SignOutButton />
        </nav>
        <main className={classes.main} id={MAIN_ID} tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </>
  );
}

const MAIN_ID = "main";

/** The first thing a keyboard reaches: jumps past the header and navigation to the page itself. */
function SkipLink() {
  const { t } = useTranslation();
  return (
    <a
      className="skip-link"
      href={`#${MAIN_ID}`}
      onClick={(event) => {
        // Focus the landmark without a hash change (the router owns the URL).
        event.preventDefault();
        document.getElementById(MAIN_ID)?.focus();
      }}
    >
      {t("nav.skipToContent")}
    </a>
  );
}

function NavItems({ onNavigate }: { onNavigate: () => void }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const { pathname } = useLocation();
  const items = [
    { to: "/", label: t("nav.dashboard") },
    ...(isLearner(me)
      ? [
          { to: "/teachers", label: t("tutoring.nav.teachers") },
          { to: "/sessions", label: t("tutoring.nav.sessions") },
          { to: "/progress", label: t("tutoring.nav.progress") },
          { to: "/onboarding", label: t("nav.onboarding") },
          { to: "/assessment", label: t("nav.assessment") },
          { to: "/credits", label: t("nav.credits") },
          { to: "/orders", label: t("checkout.nav") },
        ]
      : []),
    ...(canTeach(me)
      ? [
          { to: "/teaching", label: t("nav.teaching") },
          { to: "/teaching/availability", label: t("tutoring.nav.availability") },
          { to: "/teaching/earnings", label: t("tutoring.nav.earnings") },
          { to: "/wallet", label: t("wallet.nav") },
          { to: "/teaching/reviews", label: t("nav.reviews") },
        ]
      : []),
    { to: "/profile", label: t("nav.profile") },
  ];
  return items.map((item) => (
    <Link
      key={item.to}
      className={classes.link}
      to={item.to}
      data-active={pathname === item.to || undefined}
      aria-current={pathname === item.to ? "page" : undefined}
      onClick={onNavigate}
    >
      {item.label}
    </Link>
  ));
}

// The menu loads after the first screen; until it has, the same button stands in for it.
const UserMenu = lazy(async () => ({ default: (await import("./UserMenu")).UserMenu }));

/** The user's name, opening the user menu. (Props and ref come from Menu.Target.) */
export function UserMenuButton(props: ButtonProps & ComponentPropsWithRef<"button">) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Button variant="subtle" aria-label={t("userMenu.label", { name: me.name })} maw={200} {...props}>
      <Text truncate="end" inherit dir="auto">
        {me.name}
      </Text>
    </Button>
  );
}

function SignOutButton() {
  const { t } = useTranslation();
  const signOut = useSignOut();
  return (
    <Button variant="light" color="gray" fullWidth loading={signOut.isPending} onClick={() => signOut.mutate()}>
      {t("userMenu.signOut")}
    </Button>
  );
}

/** Ends the session, forgets every cached answer of the old session, and goes to sign-in. */
export function useSignOut() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    // The auth client loads on first use: it is not needed to show the first screen.
    mutationFn: async () => authCall((await import("../lib/auth-client")).authClient.signOut()),
    onSuccess: () => {
      queryClient.clear();
      navigate("/sign-in", { replace: true });
    },
    onError: (error) => void notifyFailure(toFailure(error, t).message),
  });
}
