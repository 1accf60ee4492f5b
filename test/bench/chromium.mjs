// floo-wasm clients in headless Chromium for the end-to-end benchmark (bench_test.go drives it,
// with FLOO_BENCH_CHROMIUM): Debian's chromium driven by playwright-core from a project made by
// npm/test/e2e/harness.mjs ("prepare"). A small static server on a free loopback port serves a
// page that imports the installed package as a browser module (an import map onto
// node_modules/floo-wasm, no bundler) and clients.mjs; the page talks to the reference server
// cross-origin, as a web app on its own host does. Commands and answers are those of clients.mjs,
// over stdin and stdout, one JSON object a line; {"op":"quit"} closes the browser.
//
// Arguments: <project> <dnsServer> <chromium binary>.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const [project, dnsServer, executablePath] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(project, "browser.mjs")).href);

const reply = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
process.on("uncaughtException", (err) => reply({ fatal: `uncaught: ${err && err.stack}` }));
process.on("unhandledRejection", (err) => reply({ fatal: `unhandled rejection: ${err && err.stack}` }));

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floo-wasm bench</title>
<script type="importmap">{ "imports": { "floo-wasm": "/floo-wasm/dist/index.js" } }</script>
<script type="module">
  import flooim, { memoryStorage } from "floo-wasm";
  import { createDriver } from "/clients.mjs";
  const dnsServer = new URLSearchParams(location.search).get("dns");
  window.benchHandle = createDriver({ flooim, memoryStorage, dnsServer, reply: (o) => window.benchReply(o) });
  window.benchReady = true;
</script></head><body>floo-wasm bench</body></html>`;

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
const pkgDir = path.join(project, "node_modules/floo-wasm");
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  let file = "";
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGE);
    return;
  } else if (url.pathname === "/clients.mjs") {
    file = path.join(here, "clients.mjs");
  } else if (url.pathname.startsWith("/floo-wasm/")) {
    file = path.join(pkgDir, path.normalize(url.pathname.slice("/floo-wasm/".length)));
    if (!file.startsWith(pkgDir + path.sep)) file = "";
  }
  const st = file && (await stat(file).catch(() => null));
  if (!st || !st.isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": st.size });
  createReadStream(file).pipe(res);
});
server.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));

const browser = await chromium.launch({
  executablePath,
  headless: true,
  timeout: 30_000,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-background-timer-throttling", "--disable-renderer-backgrounding"],
});
const page = await (await browser.newContext()).newPage();
page.on("pageerror", (e) => process.stderr.write(`pageerror: ${e.message}\n`));
page.on("console", (m) => m.type() === "error" && process.stderr.write(`console: ${m.text()}\n`));
await page.exposeFunction("benchReply", (obj) => reply(obj));
await page.goto(`http://127.0.0.1:${server.address().port}/?dns=${encodeURIComponent(dnsServer)}`);
await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });

async function quit() {
  await browser.close().catch(() => {});
  server.close();
  process.exit(0);
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    return;
  }
  if (cmd.op === "quit") {
    void quit();
    return;
  }
  page.evaluate((c) => window.benchHandle(c), cmd).then(
    (res) => reply({ id: cmd.id, ...res }),
    (err) => reply({ id: cmd.id, error: String((err && err.message) || err) }),
  );
});
rl.on("close", () => void quit());
