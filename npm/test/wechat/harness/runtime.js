// An emulated WeChat mini-program runtime in Node: a node:vm context that, like the app service
// layer of a mini-program, has the ECMAScript built-ins plus timers, console, `wx` and
// `WXWebAssembly`, and nothing of the web platform (no TextEncoder, TextDecoder, crypto,
// performance, WebSocket, fetch, XMLHttpRequest, WebAssembly), with string and wasm code
// generation switched off (no eval, no new Function, no WebAssembly.compile of bytes). Code is
// loaded from a code package folder through a CommonJS require, as WeChat does, with npm packages
// resolved from miniprogram_npm/.

import { readFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

import { Native } from "./native.js";

const WX_RUNTIME = readFileSync(new URL("./wx-runtime.js", import.meta.url), "utf8");

/** Globals a fresh vm context has that a mini-program's does not. */
const REMOVED = ["WebAssembly"];

/**
 * Starts a mini-program on device, with its code package in packageRoot. Returns the running
 * program: require(path) loads a module of the package, and the controls a test needs (drop the
 * sockets, go offline, hide and show the app, kill it).
 *
 * @param {object} o
 * @param {import("./native.js").Device} o.device
 * @param {string} o.packageRoot
 * @param {object} [o.domains] the whitelisted domains (see Native)
 * @param {boolean} [o.verbose] print the mini-program's console
 * @param {object} [o.globals] extra globals (App, Page... for page tests)
 * @param {boolean} [o.timersInScope] give the timers to each module as variables of its scope
 *   only, not as properties of the global object (which base libraries do is not documented;
 *   the SDK must work either way)
 */
export function startMiniProgram({ device, packageRoot, domains, verbose = process.env.FLOO_TEST_VERBOSE === "1", globals = {}, timersInScope = false }) {
  const native = new Native({ device, packageRoot, domains });
  const logs = [];
  const timers = new Set();
  const live = (fn) =>
    function timerCallback(...args) {
      if (native.alive) fn(...args);
    };
  const log =
    (level) =>
    (...args) => {
      const line = args.map((a) => (typeof a === "string" ? a : a instanceof Error || (a && a.stack) ? String(a.stack || a) : safeJSON(a))).join(" ");
      logs.push(`[${level}] ${line}`);
      if (verbose) process.stderr.write(`[mp ${level}] ${line}\n`);
    };
  const timerApi = {
    setTimeout: (fn, ms, ...args) => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (native.alive) fn(...args);
      }, ms);
      timers.add(t);
      return t;
    },
    clearTimeout: (t) => {
      timers.delete(t);
      clearTimeout(t);
    },
    setInterval: (fn, ms, ...args) => {
      const t = setInterval(live(fn), ms, ...args);
      timers.add(t);
      return t;
    },
    clearInterval: (t) => {
      timers.delete(t);
      clearInterval(t);
    },
  };
  const TIMERS = Object.keys(timerApi);
  const sandbox = {
    console: { log: log("log"), info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") },
    ...(timersInScope ? {} : timerApi),
    ...globals,
  };
  const context = vm.createContext(sandbox, { name: "miniprogram", codeGeneration: { strings: false, wasm: false } });
  for (const name of REMOVED) vm.runInContext(`delete globalThis[${JSON.stringify(name)}];`, context);
  // The wx layer is evaluated with the timers as variables, so it works whichever way the
  // program's modules see them.
  const runtime = `(function (${TIMERS.join(", ")}) {\nreturn (\n${WX_RUNTIME.trim().replace(/;$/, "")}\n);\n})`;
  const factory = new vm.Script(runtime, { filename: "wx-runtime.js" }).runInContext(context);
  const api = factory(...TIMERS.map((t) => timerApi[t]))(native);
  context.wx = api.wx;
  context.WXWebAssembly = api.WXWebAssembly;

  const cache = new Map();
  const root = path.resolve(packageRoot);

  /** Resolves a require() of `request` from the module at `from` (both package paths). */
  function resolve(request, fromDir) {
    let base;
    if (request.startsWith("./") || request.startsWith("../")) base = path.resolve(fromDir, request);
    else if (request.startsWith("/")) base = path.join(root, request);
    else base = path.join(root, "miniprogram_npm", request);
    for (const candidate of [base, `${base}.js`, path.join(base, "index.js")]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) {
        if (!candidate.startsWith(root + path.sep)) break;
        return candidate;
      }
    }
    throw new Error(`module "${request}" is not defined (required from ${path.relative(root, fromDir) || "/"})`);
  }

  function load(file) {
    if (cache.has(file)) return cache.get(file).exports;
    const module = { exports: {} };
    cache.set(file, module);
    // WeChat wraps every file in a function; the arguments are what a module sees.
    const params = ["require", "module", "exports", ...(timersInScope ? TIMERS : [])].join(", ");
    const wrapper = `(function (${params}) {${readFileSync(file, "utf8")}\n})`;
    const fn = new vm.Script(wrapper, { filename: file }).runInContext(context);
    const dir = path.dirname(file);
    const scoped = timersInScope ? TIMERS.map((t) => timerApi[t]) : [];
    fn.call(module.exports, (r) => load(resolve(r, dir)), module, module.exports, ...scoped);
    return module.exports;
  }

  return {
    context,
    native,
    logs,
    /** Loads a module of the code package, e.g. "floo-wasm" or "/pages/chat/chat.js". */
    require: (request) => load(resolve(request, root)),
    /** Evaluates an expression in the mini-program (for checks of its globals). */
    evaluate: (code) => vm.runInContext(code, context),
    /** Cuts every socket without a close frame, as a network drop does; returns how many. */
    dropSockets: () => native.dropSockets(),
    /** The device goes offline (sockets die, requests fail) or online, with the wx event. */
    setOnline(online) {
      native.isOnline = online;
      if (!online) native.dropSockets();
      api.fire("network", online);
    },
    /**
     * The user leaves the mini-program (onAppHide). With interrupt, WeChat's behaviour after a
     * while in the background follows: every socket is closed with code 1000, "interrupted".
     */
    hide({ interrupt = false } = {}) {
      api.fire("hide");
      if (interrupt) native.dropSockets(1000, "interrupted");
    },
    show() {
      api.fire("show");
    },
    /** Ends the mini-program as WeChat does when it destroys it: nothing of it runs again. */
    kill() {
      native.kill();
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      timers.clear();
    },
  };
}

function safeJSON(v) {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
