// End-to-end tests of the dashboard in headless Debian Chromium (playwright-core, no browser
// download), against a running server with the demo data. Started by tests/e2e/test_dashboard.py;
// by hand:
//   BASE_URL=http://127.0.0.1:8000 DEMO_EMAIL=… DEMO_PASSWORD=… FAKE_MIC_WAV=speech48k.wav node e2e/run.mjs
// Prints one line per check and "N passed, M failed"; exits non-zero on any failure.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { steps } from "./steps.mjs";

const env = process.env;
const config = {
  baseUrl: (env.BASE_URL ?? "http://127.0.0.1:8000").replace(/\/$/, ""),
  email: env.DEMO_EMAIL ?? "",
  password: env.DEMO_PASSWORD ?? "",
  wav: env.FAKE_MIC_WAV ?? "",
  screenshots: env.SCREENSHOT_DIR ?? fileURLToPath(new URL("./screenshots/", import.meta.url)),
  interactiveBudgetMs: Number(env.INTERACTIVE_BUDGET_MS ?? 1000),
};
if (!config.email || !config.password) {
  console.error("DEMO_EMAIL and DEMO_PASSWORD are required");
  process.exit(2);
}
mkdirSync(config.screenshots, { recursive: true });

const args = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
  "--autoplay-policy=no-user-gesture-required", "--lang=he-IL",
  "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
];
if (config.wav) args.push(`--use-file-for-fake-audio-capture=${config.wav}%noloop`);

const browser = await chromium.launch({ executablePath: env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "he-IL", timezoneId: "America/New_York" });
await context.grantPermissions(["microphone"], { origin: config.baseUrl });
const page = await context.newPage();
page.setDefaultTimeout(15000);
const consoleErrors = [];
page.on("console", (msg) => msg.type() === "error" && consoleErrors.push(msg.text()));
page.on("pageerror", (err) => consoleErrors.push(String(err)));

const shots = [];
const state = {};
const t = {
  page, config, state,
  async shot(name) {
    const path = `${config.screenshots}/${name}.png`;
    await page.screenshot({ path, animations: "disabled" });
    shots.push(path);
  },
  log: (line) => console.log(`    ${line}`),
};

let passed = 0;
let failed = 0;
for (const [name, run] of steps) {
  const started = Date.now();
  try {
    await run(t);
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error instanceof Error ? error.stack ?? error.message : error}`);
    await t.shot(`failure-${name.replace(/\W+/g, "-")}`).catch(() => {});
    if (state.fatal) break;
  }
}
if (consoleErrors.length) console.log(`browser console errors:\n  ${consoleErrors.slice(0, 20).join("\n  ")}`);
console.log(`screenshots (${shots.length}) in ${config.screenshots}`);
console.log(`${passed} passed, ${failed} failed`);
await browser.close();
process.exit(failed ? 1 : 0);
