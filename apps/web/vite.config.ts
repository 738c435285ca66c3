import { browserAppConfig } from "@lectern/config/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig(browserAppConfig("web", [react()]));
