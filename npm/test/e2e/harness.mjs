// Harness of the end-to-end tests: it installs the packed package into a temporary project the
// way a user would (`npm pack`, then `npm install <tarball>`), runs the reference server on a free
// port with a temporary data directory, and offers bounded waits on SDK events, so the tests never
// sleep for a fixed time.
//
// Environment (all optional; scripts/test-e2e.sh sets the first three so that both test files
// share one build, one install and one server binary):
//   FLOO_E2E_PROJECT     a project made by `node harness.mjs prepare` (skips pack and install)
//   FLOO_E2E_TARBALL     a packed floo-wasm tarball to install instead of packing npm/
//   FLOO_E2E_SERVER_BIN  a built floo-server binary
//   FLOO_E2E_KEEP=1      keep the temporary directories (their paths are printed)

import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The package folder. */
export const NPM_DIR = path.join(REPO, "npm");

/**
 * Exact versions of the test project's own dependencies. They are devDependencies of the
 * temporary project only: floo-wasm itself has no runtime dependency. socket.io-client 2.x is the
 * transport the official Floo web SDK embeds (sio.test.mjs drives it against the server).
 */
export const PINNED = { ws: "8.23.0", "playwright-core": "1.65.1", "socket.io-client": "2.5.0" };

/** The app id the reference server serves by default, and the official demo app id. */
export const APP_ID = "welovemaxim";

/** Debian's chromium, and the flags every browser test launches it with. */
export const CHROMIUM = process.env.FLOO_E2E_CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Launches CHROMIUM headless through the playwright-core of the prepared `project`. */
export async function launchChromium(project) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set FLOO_E2E_CHROMIUM)`);
  const { chromium } = await import(pathToFileURL(path.join(project, "browser.mjs")).href);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000 });
}

const keep = () => process.env.FLOO_E2E_KEEP === "1";
const cleanups = [];

/** Registers a cleanup to run at process exit (temporary directories, child processes). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** Runs every registered cleanup, newest first. Safe to call more than once. */
export async function cleanupAll() {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error("e2e cleanup:", err);
    }
  }
}

/** A new temporary directory, removed by cleanupAll unless FLOO_E2E_KEEP=1. */
export async function tempDir(prefix) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `floo-e2e-${prefix}-`));
  if (keep()) console.error(`e2e: keeping ${dir}`);
  else onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs a command to completion and resolves with its stdout; rejects with the command line and
 * the tail of its output when it fails or outlives `timeoutMs`.
 */
export function run(cmd, args, { cwd = REPO, env = process.env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed: ${signal ?? `exit ${code}`}\n${(out + err).slice(-4000)}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The package and the temporary project.

/** The files the package must ship for the tests to mean anything. */
const REQUIRED_DIST = [
  "dist/index.js",
  "dist/index.d.ts",
  "dist/wechat.js",
  "dist/wechat.d.ts",
  "dist/floo.wasm",
  "dist/floo.iife.js",
  "dist/cjs/index.js",
  "dist/cjs/index.d.ts",
  "dist/miniprogram/floo.wasm.br",
];

/** Builds npm/dist with scripts/wasm.sh when any of its files is missing. */
export async function ensureBuilt() {
  if (REQUIRED_DIST.every((f) => existsSync(path.join(NPM_DIR, f)))) return;
  await run(path.join(REPO, "scripts/wasm.sh"), []);
}

/** Packs npm/ into `dir` and returns the tarball's path, after checking what it contains. */
export async function packPackage(dir) {
  await ensureBuilt();
  const out = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: NPM_DIR });
  const [info] = JSON.parse(out);
  const files = new Set(info.files.map((f) => f.path));
  for (const f of [...REQUIRED_DIST, "package.json"]) {
    if (!files.has(f)) throw new Error(`npm pack: ${f} is missing from ${info.filename}`);
  }
  // wasm_exec.js is a chunk of the bundles, named after its content hash.
  if (![...files].some((f) => /^dist\/wasm_exec-[\w-]+\.js$/.test(f))) {
    throw new Error(`npm pack: no wasm_exec.js chunk in ${info.filename}`);
  }
  for (const f of files) {
    if (/^(src|test|build|scripts)\//.test(f) || f.includes("node_modules")) {
      throw new Error(`npm pack: ${f} should not be shipped`);
    }
  }
  return path.join(dir, info.filename);
}

/**
 * Creates a project that depends on the packed package as a user's project would: package.json
 * with the test tools as exact devDependencies, then `npm install <tarball>`. The project also
 * gets `entry.mjs`, which re-exports the package and `ws` by bare name, so the tests load them
 * through npm's resolution and the package's exports map.
 */
export async function prepareProject() {
  const root = await tempDir("project");
  const tarball = process.env.FLOO_E2E_TARBALL || (await packPackage(root));
  const dir = path.join(root, "app");
  await mkdir(dir);
  const pkg = {
    name: "floo-e2e-app",
    version: "0.0.0",
    private: true,
    type: "module",
    devDependencies: { ...PINNED },
  };
  await writeFile(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  await run("npm", ["install", "--no-audit", "--no-fund", "--save-exact", tarball], { cwd: dir });
  await writeFile(
    path.join(dir, "entry.mjs"),
    [
      'export { default } from "floo-wasm";',
      'export * from "floo-wasm";',
      'export { default as WebSocket } from "ws";',
      "",
    ].join("\n"),
  );
  await writeFile(path.join(dir, "browser.mjs"), 'export { chromium } from "playwright-core";\n');
  return dir;
}

/** The project of FLOO_E2E_PROJECT, or a new one. */
export async function getProject() {
  const given = process.env.FLOO_E2E_PROJECT;
  if (given) {
    if (!existsSync(path.join(given, "entry.mjs"))) throw new Error(`FLOO_E2E_PROJECT=${given} is not a prepared project`);
    return given;
  }
  return prepareProject();
}

/** Imports the installed package (and ws) from the project. */
export async function loadPackage(project) {
  return import(pathToFileURL(path.join(project, "entry.mjs")).href);
}

/** Reads a JSON file. */
export async function readJSON(file) {
  return JSON.parse(await readFile(file, "utf8"));
}

// ---------------------------------------------------------------------------------------------
// The reference server.

/** Builds cmd/floo-server once per process (or uses FLOO_E2E_SERVER_BIN). */
export async function serverBinary() {
  const given = process.env.FLOO_E2E_SERVER_BIN;
  if (given) return given;
  const dir = await tempDir("bin");
  const bin = path.join(dir, "floo-server");
  await run("go", ["build", "-o", bin, "./cmd/floo-server"]);
  return bin;
}

/**
 * A running floo-server process. `restart()` kills it with SIGKILL (an abrupt crash: every
 * connection dies without a close frame) and starts it again on the same data directory.
 */
export class ServerProcess {
  #opts;
  #proc;
  #log = [];
  #stopping = false;
  /** host:port it listens on. */
  addr = "";
  /** Set when the process exited without stop() or restart(). */
  unexpectedExit = "";

  constructor(opts) {
    this.#opts = opts;
  }

  /** The base URL, e.g. http://127.0.0.1:41234. */
  get base() {
    return `http://${this.addr}`;
  }

  /** The last lines the server logged, for failure messages. */
  logTail(n = 40) {
    return this.#log.slice(-n).join("\n");
  }

  /** Starts the server on `addr` (default: the previous address, or a free port). */
  async start(addr = this.addr || "127.0.0.1:0") {
    const { bin, dataDir, webDir, publicURL, appId = APP_ID } = this.#opts;
    const args = ["-addr", addr, "-data", dataDir, "-app-id", appId, "-log-level", "info"];
    if (webDir) args.push("-web", webDir);
    if (publicURL) args.push("-public-url", publicURL);
    const proc = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    this.#proc = proc;
    this.#stopping = false;
    proc.on("exit", (code, signal) => {
      // An exit nobody asked for is a server failure: say so, with what it logged last.
      if (!this.#stopping) {
        this.unexpectedExit = `${signal ?? `exit ${code}`}`;
        console.error(`floo-server exited unexpectedly (${this.unexpectedExit}); its last lines:\n${this.logTail(60)}`);
      }
    });
    let buf = "";
    const listening = new Promise((resolve, reject) => {
      proc.stderr.setEncoding("utf8");
      proc.stderr.on("data", (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          this.#log.push(line);
          if (this.#log.length > 2000) this.#log.splice(0, 1000);
          const m = /msg="floo-server listening" addr=(\S+)/.exec(line);
          if (m) resolve(m[1]);
        }
      });
      proc.on("error", reject);
      proc.on("exit", (code, signal) => reject(new Error(`floo-server exited before listening (${signal ?? code}):\n${this.logTail()}`)));
    });
    this.addr = await withTimeout(listening, 15_000, "floo-server to listen");
    return this;
  }

  /** Stops the server: SIGTERM (graceful), or SIGKILL when `crash` or after 12 s. */
  async stop({ crash = false } = {}) {
    const proc = this.#proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, "exit");
    this.#stopping = true;
    proc.kill(crash ? "SIGKILL" : "SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 12_000);
    await exited;
    clearTimeout(timer);
  }

  /** Crashes the server (SIGKILL) and starts it again on the same address and data. */
  async restart({ downMs = 0 } = {}) {
    await this.stop({ crash: true });
    if (downMs > 0) await delay(downMs);
    return this.start(this.addr);
  }
}

/**
 * Starts a server with a fresh data directory. `publicURL` replaces the address its DNS reply
 * advertises (ratel and fireplace), e.g. a closed port for the tests of a login that cannot connect.
 */
export async function startServer({ webDir, publicURL } = {}) {
  const bin = await serverBinary();
  const dataDir = await tempDir("data");
  const srv = new ServerProcess({ bin, dataDir, webDir, publicURL });
  await srv.start();
  onCleanup(() => srv.stop());
  return srv;
}

/**
 * A TCP proxy in front of the server, to cut the network between clients and server. Clients
 * connect to the proxy, so the URLs the server advertises (built from the Host header) point to
 * the proxy too.
 *
 * `drop()` models a mobile network going away: every client-side connection is destroyed at
 * once, while the server-side halves stay open and silent (the server is not told, as when a
 * phone loses its radio), and for `outageMs` new connections are refused. The silent halves are
 * closed at `close()`.
 */
export class TcpProxy {
  #server;
  /** @type {Set<{client: net.Socket, upstream: net.Socket}>} */
  #pairs = new Set();
  #silent = new Set();
  #target;
  #refuseUntil = 0;
  /** Connections accepted so far. */
  accepted = 0;
  port = 0;

  /** @param {() => string} target returns the upstream host:port for each new connection */
  constructor(target) {
    this.#target = target;
  }

  async listen() {
    this.#server = net.createServer((client) => {
      client.on("error", () => {});
      if (performance.now() < this.#refuseUntil) {
        client.destroy();
        return;
      }
      this.accepted++;
      const [host, port] = this.#target().split(":");
      const upstream = net.connect(Number(port), host);
      upstream.on("error", () => {});
      const pair = { client, upstream };
      this.#pairs.add(pair);
      for (const s of [client, upstream]) s.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on("close", () => {
        this.#pairs.delete(pair);
        if (!this.#silent.has(upstream)) upstream.destroy();
      });
      upstream.on("close", () => {
        this.#silent.delete(upstream);
        client.destroy();
      });
    });
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    this.port = this.#server.address().port;
    onCleanup(() => this.close());
    return this;
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every connection (see the class doc); returns how many there were. */
  drop({ outageMs = 0 } = {}) {
    this.#refuseUntil = performance.now() + outageMs;
    const n = this.#pairs.size;
    for (const { client, upstream } of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      upstream.pause();
      this.#silent.add(upstream);
      client.destroy();
    }
    this.#pairs.clear();
    return n;
  }

  async close() {
    for (const { client } of this.#pairs) client.destroy();
    for (const upstream of this.#silent) upstream.destroy();
    this.#silent.clear();
    if (this.#server?.listening) {
      const closed = once(this.#server, "close");
      this.#server.close();
      await closed;
    }
  }
}

/** A local port nothing listens on: connections to it are refused. */
export async function closedPort() {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

/**
 * A local port that accepts connections and never answers a byte (a "blackhole"): requests and
 * WebSocket handshakes to it hang until the client gives up. Closed by cleanupAll.
 */
export async function blackhole() {
  const sockets = new Set();
  const srv = net.createServer((s) => {
    s.on("error", () => {});
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  onCleanup(async () => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  return srv.address().port;
}

// ---------------------------------------------------------------------------------------------
// REST helpers for setup that is not itself under test.

/** Calls a ratel endpoint and resolves with `data`; rejects with the business code on failure. */
export async function rest(base, method, route, { body, query, token } = {}) {
  const url = new URL(route, base);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
  const headers = { app_id: APP_ID };
  if (token) headers["access-token"] = token;
  const init = { method, headers };
  if (method !== "GET") {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(url, init);
  const env = await res.json();
  if (env.code !== 200) {
    const err = new Error(`${method} ${route}: ${env.code} ${env.message}`);
    err.code = env.code;
    throw err;
  }
  return env.data;
}

/** Registers a user through REST and returns its id (the user may already exist). */
export async function ensureUser(base, username, password) {
  try {
    const settings = await rest(base, "POST", "/user/register/v2", { body: { username, password } });
    return settings.user_id;
  } catch (err) {
    const tok = await rest(base, "POST", "/token/user", { body: { name: username, password } });
    if (!tok) throw err;
    return tok.user_id;
  }
}

/** Logs a user in through REST and returns the TokenData. */
export function restToken(base, username, password) {
  return rest(base, "POST", "/token/user", { body: { name: username, password } });
}

/** Makes two users friends through REST (apply, then accept), for tests that are about something else. */
export async function befriend(base, a, b) {
  try {
    await rest(base, "POST", "/roster/apply", { token: a.token, body: { user_id: b.uid, alias: "", reason: "e2e" } });
  } catch (err) {
    if (err.code !== 10005) throw err; // already friends
    return;
  }
  try {
    await rest(base, "POST", "/roster/accept", { token: b.token, query: { user_id: a.uid } });
  } catch (err) {
    // auth_mode 0 makes the apply itself a friendship; nothing is left to accept then.
    if (err.code !== 10005 && err.code !== 10008) throw err;
  }
}

/** A user name unique to this run. */
export function uniqueName(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// ---------------------------------------------------------------------------------------------
// Waiting.

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves or rejects with `p`, or rejects with "timed out waiting for <what>" after `ms`. */
export function withTimeout(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Records every payload of the given events of one client, with the time it arrived, and waits
 * for records matching a predicate: `await rec.wait("onRosterMessage", (m) => m.content === "hi")`.
 * Records that arrived before the wait count too, so there is no race between an action and the
 * wait for its effect.
 */
export class Recorder {
  /** @type {Array<{name: string, payload: any, at: number}>} */
  records = [];
  #waiters = new Set();
  #im;
  #handlers = [];

  constructor(im, names) {
    this.#im = im;
    for (const name of names) {
      const fn = (payload) => this.#push(name, payload);
      im.on(name, fn);
      this.#handlers.push([name, fn]);
    }
  }

  #push(name, payload) {
    this.records.push({ name, payload, at: performance.now() });
    for (const w of [...this.#waiters]) w();
  }

  /** Payloads of `name` (matching `pred`) so far. */
  all(name, pred = () => true) {
    return this.records.filter((r) => r.name === name && pred(r.payload)).map((r) => r.payload);
  }

  /** Waits for `count` payloads of `name` matching `pred`; resolves with them. */
  waitN(name, count, pred = () => true, ms = 10_000, what = name) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = this.all(name, pred);
        if (got.length >= count) {
          done();
          resolve(got);
          return true;
        }
        return false;
      };
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.records.filter((r) => r.name === name).map((r) => r.payload);
        reject(new Error(`timed out after ${ms} ms waiting for ${count} × ${what}; saw ${seen.length} ${name}: ${preview(seen)}`));
      }, ms);
      if (!check()) this.#waiters.add(check);
    });
  }

  /** Waits for one payload of `name` matching `pred`. */
  async wait(name, pred = () => true, ms = 10_000, what = name) {
    const [first] = await this.waitN(name, 1, pred, ms, what);
    return first;
  }

  /** Unsubscribes. */
  stop() {
    for (const [name, fn] of this.#handlers) this.#im.off(name, fn);
    this.#handlers = [];
  }
}

/** A short JSON preview of values for failure messages. */
export function preview(values, max = 600) {
  let s;
  try {
    s = JSON.stringify(values) ?? String(values);
  } catch {
    s = String(values);
  }
  return s.length > max ? s.slice(0, max) + "…" : s;
}

/** Describes what a call did: threw, returned a Promise that settled, or returned a value. */
export async function outcome(fn, ms = 10_000) {
  let v;
  try {
    v = fn();
  } catch (err) {
    return { kind: "throw", error: err };
  }
  if (v && typeof v.then === "function") {
    try {
      return { kind: "resolve", value: await withTimeout(v, ms, "the call to settle") };
    } catch (err) {
      if (err instanceof Error && /^timed out after/.test(err.message)) return { kind: "pending" };
      return { kind: "reject", error: err };
    }
  }
  return { kind: "return", value: v };
}

/**
 * The static files the browser test serves: a page importing the package through an import map
 * (/e2e.html, with the installed package at /floo-wasm/), and a page loading the script-tag build
 * (/iife.html) from /sdk/, deployed as npm/README.md tells: floo.iife.js, floo.wasm and the
 * package's floo.wasm.br in one folder, so that the server can send the brotli file, and the
 * script compressed beside it (floo.iife.js.br, `brotli -k` as a deploy step would).
 */
export async function makeWebDir(project) {
  const web = await tempDir("web");
  const installed = path.join(project, "node_modules/floo-wasm");
  const here = path.dirname(fileURLToPath(import.meta.url));
  // The installed copy of the package, exactly as npm laid it out.
  await cp(installed, path.join(web, "floo-wasm"), { recursive: true });
  await cp(path.join(here, "page.html"), path.join(web, "e2e.html"));
  await mkdir(path.join(web, "sdk"));
  for (const [from, to] of [["dist/floo.iife.js", "floo.iife.js"], ["dist/floo.wasm", "floo.wasm"], ["dist/miniprogram/floo.wasm.br", "floo.wasm.br"]]) {
    await cp(path.join(installed, from), path.join(web, "sdk", to));
  }
  const script = await readFile(path.join(web, "sdk", "floo.iife.js"));
  const { BROTLI_PARAM_QUALITY } = zlib.constants;
  await writeFile(path.join(web, "sdk", "floo.iife.js.br"), zlib.brotliCompressSync(script, { params: { [BROTLI_PARAM_QUALITY]: 11 } }));
  await cp(path.join(here, "iife.html"), path.join(web, "iife.html"));
  return web;
}

// `node harness.mjs prepare` makes a project, keeps it and prints its path: scripts/test-e2e.sh
// uses it so that both test files share one pack and one install.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv[2] !== "prepare") {
    console.error("usage: node harness.mjs prepare");
    process.exit(2);
  }
  process.env.FLOO_E2E_KEEP = "1";
  process.stdout.write((await prepareProject()) + "\n");
}
