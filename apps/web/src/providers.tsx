import { createTheme, DirectionProvider, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { queryClient, trpc, trpcClient } from "./lib/trpc";

const theme = createTheme({ primaryColor: "indigo", defaultRadius: "md" });

export function Providers({ children }: { children: ReactNode }) {
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        {/* i18n sets <html dir> for each language; Mantine follows that attribute, so Arabic mirrors the layout. */}
        <DirectionProvider detectDirection>
          <MantineProvider theme={theme}>
            <Notifications position="top-center" />
            {children}
          </MantineProvider>
        </DirectionProvider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}
