// The script-tag build (dist/floo.iife.js): `<script src=".../floo.iife.js">` defines
// `window.flooIM(config)`, the global of the official web SDK (JSAPI.md §2), with the rest of the
// main entry's API as its properties (`flooIM.FlooError`, `flooIM.initialize`...).
//
// The module is loaded from beside the script: `floo.wasm` resolved against the script's own URL
// (document.currentScript, known only while the script first runs). To load it from elsewhere,
// give the script tag `data-wasm-url="..."`, or pass `wasmURL` (or `wasmModule`, `instantiate`)
// to the first `flooIM(config)` or `flooIM.initialize(options)`.

import * as api from "./index.js";
import type { FlooClient } from "./client.js";
import type { FlooConfig, InitializeOptions } from "./types.js";

const script = typeof document === "undefined" ? null : (document.currentScript as HTMLScriptElement | null);
const scriptURL = script?.src || (typeof location === "undefined" ? undefined : location.href);
const given = script?.dataset["wasmUrl"];
const defaultWasmURL: string | URL | undefined = given ? new URL(given, scriptURL).href : scriptURL ? new URL("floo.wasm", scriptURL) : undefined;

/** Options with the script's default wasm URL where none is given. */
function withDefault<T extends InitializeOptions>(o: T): T {
  return o.wasmURL === undefined && defaultWasmURL !== undefined ? { ...o, wasmURL: defaultWasmURL } : o;
}

const flooim = (config: FlooConfig = {}): FlooClient => api.flooim(withDefault(config));

/** `window.flooIM`: flooim() with the main entry's exports as properties. */
const flooIM = Object.assign(flooim, api, {
  default: flooim,
  flooim,
  initialize: (options: InitializeOptions = {}): Promise<void> => api.initialize(withDefault(options)),
});

(globalThis as { flooIM?: typeof flooIM }).flooIM = flooIM;
