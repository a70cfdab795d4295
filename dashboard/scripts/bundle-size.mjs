// Lists every built JS/CSS asset with its gzip size and fails when the JavaScript the first
// logged-in page loads (the entry chunk plus its static imports) exceeds the budget.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET_GZIP_BYTES = 300 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const assets = join(dist, "assets");
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

const sizes = new Map();
for (const name of readdirSync(assets).sort()) {
  if (!/\.(js|css)$/.test(name)) continue;
  const raw = readFileSync(join(assets, name));
  sizes.set(name, { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length, text: raw.toString() });
}

const html = readFileSync(join(dist, "index.html"), "utf8");
const entries = [...html.matchAll(/assets\/([^"']+\.js)/g)].map((m) => m[1]);
const initial = new Set();
const visit = (name) => {
  if (initial.has(name) || !sizes.has(name)) return;
  initial.add(name);
  // Static imports only: `import ... from "./x.js"`; dynamic `import("./x.js")` loads later.
  for (const m of sizes.get(name).text.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(m[1]);
};
entries.forEach(visit);

console.log("dashboard bundle (gzip -9):");
let total = 0;
for (const [name, s] of sizes) {
  const first = initial.has(name);
  if (first && name.endsWith(".js")) total += s.gzip;
  console.log(`  ${first ? "*" : " "} ${name.padEnd(40)} ${kib(s.raw).padStart(10)} raw ${kib(s.gzip).padStart(10)} gzip`);
}
const allJs = [...sizes].filter(([name]) => name.endsWith(".js")).reduce((sum, [, s]) => sum + s.gzip, 0);
console.log(`  * = loaded by the first page; its JavaScript: ${kib(total)} gzip (budget ${kib(BUDGET_GZIP_BYTES)})`);
console.log(`  all JavaScript, every page: ${kib(allJs)} gzip`);
if (total > BUDGET_GZIP_BYTES) {
  console.error("bundle budget exceeded");
  process.exit(1);
}
