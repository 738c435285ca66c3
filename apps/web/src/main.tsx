import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { i18nReady } from "./lib/i18n";
import { Providers } from "./providers";
import { AppRoutes } from "./router";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

void i18nReady.then(() =>
  createRoot(root).render(
    <StrictMode>
      <Providers>
        <AppRoutes />
      </Providers>
    </StrictMode>,
  ),
);
