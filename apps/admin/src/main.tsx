import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";
import { createTheme, DirectionProvider, MantineProvider, Select } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { useTranslation } from "react-i18next";
import { RouterProvider } from "react-router";
import { router } from "./App.tsx";
import { queryClient, trpc, trpcClient } from "./lib/trpc.ts";

const theme = createTheme({
  primaryColor: "indigo",
  components: {
    // A closed select keeps no hidden option list that shares its label.
    Select: Select.extend({ defaultProps: { comboboxProps: { keepMounted: false } } }),
  },
});

function Root() {
  const { i18n } = useTranslation();
  return (
    <DirectionProvider>
      <MantineProvider theme={theme}>
        <DatesProvider settings={{ locale: i18n.language }}>
          <Notifications />
          <trpc.Provider client={trpcClient} queryClient={queryClient}>
            <QueryClientProvider client={queryClient}>
              <RouterProvider router={router} />
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
