import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";
import "./styles.css";
import {
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  DirectionProvider,
  darken,
  type MantineColorsTuple,
  MantineProvider,
} from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, StrictMode, Suspense, useMemo } from "react";
import { createRoot } from "react-dom/client";
import { useTranslation } from "react-i18next";
import { AppRoutes } from "./App.tsx";
import { queryClient, trpc, trpcClient } from "./lib/trpc.ts";

/**
 * Mantine's status colours at the shade text and filled buttons use (8) are under 4.5:1 against white
 * (green 3.4, yellow 2.3): their darkest three shades are darkened until they pass AA.
 */
const STATUS_COLORS = ["green", "red", "orange", "yellow", "teal", "blue"] as const;
const accessibleColors = Object.fromEntries(
  STATUS_COLORS.map((name) => {
    const shades = DEFAULT_THEME.colors[name];
    const tuple: MantineColorsTuple = [
      ...shades.slice(0, 7),
      darken(shades[7], 0.2),
      darken(shades[8], 0.3),
      darken(shades[9], 0.4),
    ] as unknown as MantineColorsTuple;
    return [name, tuple];
  }),
);

const theme = createTheme({
  // People who ask their system for less motion get no transitions (dialogs open at once).
  respectReducedMotion: true,
  colors: accessibleColors,
  primaryColor: "indigo",
  // Shade 6 on white is 4.3:1; 8 passes WCAG AA (4.5:1) for links, button labels and text on buttons.
  primaryShade: { light: 8, dark: 8 },
  components: {
    // A closed select keeps no hidden option list that shares its label. (A plain object rather than
    // Select.extend(...): importing Select would bring it, and Combobox, into the first download.)
    Select: { defaultProps: { comboboxProps: { keepMounted: false } } },
  },
});

/** Mantine's dimmed text (gray 6) is 3.3:1 on white and placeholders (gray 5) 2.1:1; gray 7 passes AA. */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-7)",
  },
  dark: {},
});

// The toasts' container (and its transitions) loads after the first screen; a toast shown before it
// arrives waits in the notifications store and appears once it has.
const Notifications = lazy(async () => ({ default: (await import("@mantine/notifications")).Notifications }));

function Root() {
  const { t, i18n } = useTranslation();
  // Mantine's close buttons (dialogs, drawers, toasts) are bare icons: name them in the viewer's language.
  const themed = useMemo(() => {
    const closeButtonProps = { "aria-label": t("common.close") };
    return createTheme({
      ...theme,
      components: {
        ...theme.components,
        Modal: { defaultProps: { closeButtonProps } },
        Drawer: { defaultProps: { closeButtonProps } },
        Notification: { defaultProps: { closeButtonProps } },
      },
    });
  }, [t, i18n.language]);
  return (
    <DirectionProvider>
      <MantineProvider theme={themed} cssVariablesResolver={cssVariablesResolver}>
        <DatesProvider settings={{ locale: i18n.language }}>
          <Suspense>
            <Notifications />
          </Suspense>
          <trpc.Provider client={trpcClient} queryClient={queryClient}>
            <QueryClientProvider client={queryClient}>
              <AppRoutes />
            </QueryClientProvider>
          </trpc.Provider>
        </DatesProvider>
      </MantineProvider>
    </DirectionProvider>
  );
}

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root");
createRoot(container).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
