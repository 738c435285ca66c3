import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  DirectionProvider,
  type MantineColorsTuple,
  MantineProvider,
} from "@mantine/core";
import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { queryClient, trpc, trpcClient } from "./lib/trpc";

// The toasts' container (and its transitions) loads after the first screen; a toast shown before it
// arrives waits in the notifications store and appears once it has.
const Notifications = lazy(async () => ({ default: (await import("@mantine/notifications")).Notifications }));

/** A Mantine palette with its two darkest shades replaced (they carry text and filled buttons). */
const darkened = (name: string, shade8: string, shade9: string): MantineColorsTuple => {
  const base = DEFAULT_THEME.colors[name];
  if (!base) throw new Error(`no Mantine color ${name}`);
  return [base[0], base[1], base[2], base[3], base[4], base[5], base[6], base[7], shade8, shade9];
};

// WCAG AA: text, links and filled buttons use shade 8 (white text on it, or it on white and on the
// pale shades 0-1, is at least 4.5:1); light variants (badges, alerts) put shade 9 on shade 1. The
// stock teal, green, orange, yellow and red are too light there, so their 8 and 9 are darkened.
const theme = createTheme({
  primaryColor: "indigo",
  // People who ask their system for less motion get no transitions (dialogs open at once).
  respectReducedMotion: true,
  primaryShade: 8,
  defaultRadius: "md",
  // Keyboard users see where they are on every control, inputs included.
  focusRing: "auto",
  colors: {
    teal: darkened("teal", "#087f5b", "#06664a"),
    green: darkened("green", "#15803d", "#166534"),
    orange: darkened("orange", "#c2410c", "#9a3412"),
    yellow: darkened("yellow", "#a16207", "#854d0e"),
    red: darkened("red", "#c92a2a", "#a51d1d"),
  },
});

// Mantine's dimmed text (gray 6) is 3.3:1 on white and its error red 3.3:1: use gray 7 and red 8.
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-8)",
  },
  dark: {},
});

export function Providers({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  // Mantine's close buttons (dialogs, drawers, notifications) are bare icons: name them.
  const themed = useMemo(() => {
    const closeButtonProps = { "aria-label": t("common.close") };
    // Plain objects rather than Modal.extend(...): importing the components would bring them (and
    // what they use) into the first download.
    return createTheme({
      ...theme,
      components: {
        Modal: { defaultProps: { closeButtonProps } },
        Drawer: { defaultProps: { closeButtonProps } },
        Notification: { defaultProps: { closeButtonProps } },
      },
    });
  }, [t, i18n.language]);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        {/* i18n sets <html dir> for each language; Mantine follows that attribute, so Arabic mirrors the layout. */}
        <DirectionProvider detectDirection>
          <MantineProvider theme={themed} cssVariablesResolver={cssVariablesResolver}>
            <Suspense>
              <Notifications position="top-center" />
            </Suspense>
            {children}
          </MantineProvider>
        </DirectionProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
