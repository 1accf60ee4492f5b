// Loading the wasm module: once per page (or process), shared by every client.

import { FlooError } from "./errors.js";
import type { GoModule } from "./types/bridge.js";
import type { InitializeOptions } from "./types.js";

export type { InitializeOptions } from "./types.js";

/** The part of wasm_exec.js's Go class the loader uses. */
interface GoRuntime {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}

let loading: Promise<GoModule> | undefined;
let loaded: GoModule | undefined;
let stopped = false;

/**
 * Loads and starts the wasm module. It runs once: later calls return the same Promise, whatever
 * their options, so calling it early (to start the download) and letting `flooim()` call it again
 * is fine. After a failure the next call tries again.
 *
 * By default `floo.wasm` is loaded from next to this file (`new URL("./floo.wasm",
 * import.meta.url)`, which bundlers understand), with `WebAssembly.instantiateStreaming` when the
 * server sends `Content-Type: application/wasm` and a plain download otherwise. In Node a `file:`
 * URL is read from disk.
 */
export function initialize(options: InitializeOptions = {}): Promise<void> {
  if (!loading) {
    const p = load(options);
    loading = p;
    p.then(
      (m) => {
        loaded = m;
      },
      () => {
        if (loading === p) loading = undefined;
      },
    );
  }
  return loading.then(() => undefined);
}

/** @internal Throws when the Go runtime has exited (it only does after a fatal error). */
export function assertRunning(): void {
  if (stopped) {
    throw FlooError.fromName("GeneralError", "the floo wasm runtime has stopped (see the console for its last output)");
  }
}

/** @internal The started module; throws a clear error when initialize() has not completed. */
export function goModule(): GoModule {
  assertRunning();
  if (!loaded) {
    throw FlooError.fromName("GeneralError", "floo-wasm is not initialized: await initialize() (or im.ready()) first");
  }
  return loaded;
}

/** @internal Whether the Go runtime has exited (it only does after a fatal error). */
export function runtimeStopped(): boolean {
  return stopped;
}

async function load(options: InitializeOptions): Promise<GoModule> {
  await installNodeGlobals();
  // A dynamic import keeps the script (and its side effect) even with "sideEffects": false, and
  // evaluates nothing from a string.
  await import("./wasm_exec.js");
  const GoClass = (globalThis as { Go?: new () => GoRuntime }).Go;
  if (typeof GoClass !== "function") {
    throw FlooError.fromName("GeneralError", "wasm_exec.js did not define Go");
  }
  const go = new GoClass();
  const instance = await instantiate(options, go.importObject);
  // run() settles only when the Go program exits, which it does only after a fatal error.
  go.run(instance).then(
    () => {
      stopped = true;
    },
    () => {
      stopped = true;
    },
  );
  const mod = (globalThis as { __flooWasm?: GoModule }).__flooWasm;
  if (!mod || typeof mod.newClient !== "function") {
    throw FlooError.fromName("GeneralError", "floo.wasm did not register its module (is it the build that matches this package?)");
  }
  return mod;
}

async function instantiate(options: InitializeOptions, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (options.instantiate) {
    const r = await options.instantiate(imports);
    return r instanceof WebAssembly.Instance ? r : r.instance;
  }
  if (options.wasmModule) {
    return WebAssembly.instantiate(options.wasmModule, imports);
  }
  const url = wasmURL(options.wasmURL);
  if (url.protocol === "file:") {
    const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ "node:fs/promises");
    const bytes = await fs.readFile(url);
    return (await WebAssembly.instantiate(bytes, imports)).instance;
  }
  const res = await fetch(url);
  if (!res.ok) {
    throw FlooError.fromName("GeneralError", `cannot load ${url.href}: HTTP ${res.status}`);
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/wasm" && typeof WebAssembly.instantiateStreaming === "function") {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}

/** Resolves the wasm URL: relative strings against the page (or this module outside a page). */
function wasmURL(given: string | URL | undefined): URL {
  if (given === undefined) {
    return new URL("./floo.wasm", import.meta.url);
  }
  if (given instanceof URL) {
    return given;
  }
  const base = (globalThis as { location?: { href: string } }).location?.href ?? import.meta.url;
  return new URL(given, base);
}

/**
 * wasm_exec.js needs crypto.getRandomValues, which Node 18 has only in node:crypto; Node 19 and
 * browsers have it as a global.
 */
async function installNodeGlobals(): Promise<void> {
  const g = globalThis as { crypto?: unknown; process?: { versions?: { node?: string } } };
  if (g.crypto === undefined && g.process?.versions?.node) {
    const nodeCrypto = await import(/* webpackIgnore: true */ /* @vite-ignore */ "node:crypto");
    g.crypto = nodeCrypto.webcrypto;
  }
}
