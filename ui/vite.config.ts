import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

// Two pages, the main window and the shortcut's popup; Tauri embeds dist/
// and serves it from its own protocol, where the default base "/" works.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: { main: page("index.html"), popup: page("popup.html") },
    },
  },
  // Svelte's browser build, not its server build, under jsdom.
  // Svelte 5 components mount only with its browser build under jsdom.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : {},
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/tests/setup.ts"],
  },
});
