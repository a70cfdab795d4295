import { defineConfig } from "vite";

// The API runs on the same origin in production (the backend serves dist/ at "/");
// in development `npm run dev` proxies /api to a local `agentlocator serve`.
const backend = process.env.AGENTLOCATOR_DEV_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "./",
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 300 },
  server: { proxy: { "/api": { target: backend, ws: true } } },
});
