// Heartbeats of a hidden tab (make bench-hidden; docs/tabs.md "Hidden tabs"). A measurement, not a
// test: it prints figures and fails only when it cannot measure.
//
// Chromium with a window (on the virtual display of xvfb-run) is started with two tabs: a blank one
// in front and, behind it, the measured page, which is therefore hidden from the start and
// throttled as on a desktop (no DevTools client is attached: one keeps its pages visible). The
// page runs two clients of the package against the reference server, one in the tab itself and
// one in a dedicated worker it starts (a module worker importing the same package), each logged in
// as its own user (each with tabs: "independent": the engines are measured, not the sharing), and
// posts what it recorded to this script every 30 s. After FLOO_HIDDEN_MINUTES (default 10) the
// script reports, for each client, the times between the frames its WebSocket sent while idle (the
// heartbeat, PROTOCOL.md §5: every 50 s) and the gaps of a 1 s timer beside it, for the first 5
// minutes hidden and for the rest (Chrome throttles the timers of a page hidden for 5 minutes
// harder).
//
// Needs a prepared project (FLOO_E2E_PROJECT, as scripts/bench-e2e.sh hidden makes) and a display.

import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";

import { APP_ID, CHROMIUM, cleanupAll, delay, ensureUser, getProject, makeWebDir, startServer, tempDir, uniqueName } from "./harness.mjs";

const MINUTES = Number(process.env.FLOO_HIDDEN_MINUTES || 10);
const PASSWORD = "hidden-secret-1";
/** The flags of the browser tests, with a window instead of --headless. */
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const REPORT_MS = 30_000;

// Both clients record what their WebSocket sends ([Date.now(), bytes]) and when a 1 s timer runs.
const PROBE = `
  globalThis.__sends = [];
  globalThis.__ticks = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) {
    globalThis.__sends.push([Date.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
    return send.call(this, d);
  };
  setInterval(() => globalThis.__ticks.push(Date.now()), 1000);
`;

const WORKER = `${PROBE}
const { default: flooim } = await import("/floo-wasm/dist/index.js");
let im;
self.onmessage = async ({ data }) => {
  if (data.t === "login") {
    im = flooim({ appid: data.appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error", tabs: "independent" });
    globalThis.__states = [];
    im.on("connectionStateChanged", (s) => globalThis.__states.push([Date.now(), (s && s.state) || String(s)]));
    try {
      await im.login({ name: data.name, password: data.password });
      self.postMessage({ t: "login", ok: true });
    } catch (err) {
      self.postMessage({ t: "login", ok: false, error: String(err && err.message) });
    }
  } else if (data.t === "report") {
    self.postMessage({ t: "report", sends: globalThis.__sends, ticks: globalThis.__ticks, states: globalThis.__states });
  }
};
self.postMessage({ t: "loaded" });
`;

/** Gaps in seconds between consecutive times, for those at or after `from` and before `to`. */
function gaps(times, from, to) {
  const out = [];
  for (let i = 1; i < times.length; i++) if (times[i - 1] >= from && times[i] < to) out.push((times[i] - times[i - 1]) / 1000);
  return out;
}

function stats(xs) {
  if (xs.length === 0) return "none";
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `n=${s.length} min ${s[0].toFixed(1)} median ${q(0.5).toFixed(1)} max ${s[s.length - 1].toFixed(1)}`;
}

/**
 * Prints one client's figures: times are from `hiddenAt` (the page loaded hidden); the frames
 * after `from` (both clients logged in and synced) are the heartbeat, and a probe, if any.
 */
function report(label, r, hiddenAt, from, end) {
  const five = hiddenAt + 5 * 60_000;
  const sends = r.sends.filter(([t]) => t >= from + 2_000);
  // The heartbeat's period starts at the login.
  const times = [from, ...sends.map(([t]) => t)];
  console.log(`\n${label}`);
  console.log(`  frames sent (s after the page loaded / bytes): ${sends.map(([t, n]) => `${((t - hiddenAt) / 1000).toFixed(1)}/${n}`).join(" ")}`);
  console.log(`  heartbeat gaps (s), first 5 min hidden: ${stats(gaps(times, from, five))}`);
  console.log(`  heartbeat gaps (s), after 5 min hidden: ${stats(gaps(times, five, end))}`);
  console.log(`  1 s timer gaps (s), first 5 min hidden: ${stats(gaps(r.ticks, from, five))}`);
  console.log(`  1 s timer gaps (s), after 5 min hidden: ${stats(gaps(r.ticks, five, end))}`);
  const changes = (r.states || []).filter(([t]) => t >= from + 2_000);
  console.log(`  connection state changes: ${changes.length ? changes.map(([t, s]) => `${((t - hiddenAt) / 1000).toFixed(0)} s ${s}`).join(", ") : "none"}`);
}

// The measured page: the package through an import map, as e2e.html; the probe first.
const PAGE = `<!doctype html>
<meta charset="utf-8" />
<title>hidden</title>
<script>${PROBE}</script>
<script type="importmap">{ "imports": { "floo-wasm": "/floo-wasm/dist/index.js" } }</script>
<script type="module">
  import flooim from "floo-wasm";
  const q = new URLSearchParams(location.search);
  const appid = q.get("appid"), password = q.get("password");
  const rec = { loaded: Date.now(), visibility: [[Date.now(), document.visibilityState]], states: [], errors: [] };
  document.addEventListener("visibilitychange", () => rec.visibility.push([Date.now(), document.visibilityState]));
  let worker = null;
  const post = async () => {
    const w = worker && (await new Promise((resolve) => {
      worker.onmessage = ({ data }) => data.t === "report" && resolve(data);
      worker.postMessage({ t: "report" });
    }));
    const body = JSON.stringify({ ...rec, at: Date.now(), tab: { sends: __sends, ticks: __ticks, states: rec.states }, worker: w });
    await fetch(q.get("collect"), { method: "POST", body }).catch(() => {});
  };
  try {
    const im = flooim({ appid, dnsServer: location.origin + "/v2/app_dns", ws: true, autoLogin: false, logLevel: "error", tabs: "independent" });
    im.on("connectionStateChanged", (s) => rec.states.push([Date.now(), (s && s.state) || String(s)]));
    await im.login({ name: q.get("tab"), password });
    const w = new Worker("/hidden-worker.js", { type: "module" });
    await new Promise((resolve, reject) => {
      w.onerror = (e) => reject(new Error("worker: " + e.message));
      w.onmessage = ({ data }) => {
        if (data.t === "loaded") w.postMessage({ t: "login", appid, name: q.get("worker"), password });
        else if (data.t === "login") data.ok ? resolve() : reject(new Error("worker login: " + data.error));
      };
    });
    worker = w;
    rec.ready = Date.now();
  } catch (err) {
    rec.errors.push(String(err && err.message));
  }
  await post();
  setInterval(post, ${REPORT_MS});
</script>
`;

const project = await getProject();
const web = await makeWebDir(project);
await writeFile(path.join(web, "hidden-worker.js"), WORKER);
await writeFile(path.join(web, "hidden.html"), PAGE);
const server = await startServer({ webDir: web });

// The page's reports, the newest kept.
let last = null;
const collector = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    try {
      last = JSON.parse(body);
    } catch {}
    res.writeHead(200, { "access-control-allow-origin": "*" });
    res.end();
  });
});
await new Promise((resolve) => collector.listen(0, "127.0.0.1", resolve));

let chromium;
try {
  const users = [];
  for (const who of ["tab", "worker"]) {
    const name = uniqueName(`hidden-${who}`);
    await ensureUser(server.base, name, PASSWORD);
    users.push(name);
  }
  const q = new URLSearchParams({ appid: APP_ID, password: PASSWORD, tab: users[0], worker: users[1], collect: `http://127.0.0.1:${collector.address().port}/` });
  const profile = await tempDir("hidden-profile");
  // The first tab on the command line is the active one.
  chromium = spawn(CHROMIUM, [...ARGS, `--user-data-dir=${profile}`, "about:blank", `${server.base}/hidden.html?${q}`], { stdio: "ignore" });
  const t0 = Date.now();
  while (!last?.ready && !last?.errors?.length) {
    if (Date.now() - t0 > 60_000) throw new Error("the measured page did not report within 60 s: no display (run under xvfb-run)?");
    await delay(500);
  }
  if (last.errors.length) throw new Error(`the measured page failed: ${last.errors.join("; ")}`);
  const hiddenAt = last.loaded;
  if (last.visibility[0][1] !== "hidden") throw new Error(`the measured page is ${last.visibility[0][1]}, not hidden: the browser did not hide a background tab`);
  console.log(`both clients logged in ${last.ready - last.loaded} ms after the hidden page loaded; measuring for ${MINUTES} min`);
  while (Date.now() - hiddenAt < MINUTES * 60_000 + REPORT_MS + 5_000) {
    await delay(60_000);
    const health = await (await fetch(`${server.base}/api/health`)).json();
    console.log(`${((Date.now() - hiddenAt) / 60_000).toFixed(1)} min hidden; server connections ${JSON.stringify(health.connections)}`);
  }
  const end = last.at;
  const shown = last.visibility.filter(([, v]) => v !== "hidden");
  console.log(`\nreport of ${((end - hiddenAt) / 60_000).toFixed(1)} min after the hidden page loaded; visible meanwhile: ${shown.length ? JSON.stringify(shown) : "never"}`);
  const from = last.ready;
  report("engine in the tab", last.tab, hiddenAt, from, end);
  report("engine in a dedicated worker of the same tab", last.worker, hiddenAt, from, end);
} finally {
  chromium?.kill();
  collector.close();
  await server.stop().catch(() => {});
  await cleanupAll();
}
