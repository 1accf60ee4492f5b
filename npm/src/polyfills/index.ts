// The globals wasm_exec.js and the SDK need, installed by the WeChat entry only (never by the
// browser entry) and only where the host lacks them: a native implementation always wins.

import { monotonicClock } from "./clock.js";
import { ChaChaRandom, makeGetRandomValues, seedFromWx, type RandomSource, type WxRandomSource } from "./random.js";
import { Utf8TextDecoder, Utf8TextEncoder } from "./text.js";
import { installWebAssemblyShim } from "./webassembly.js";

export { chacha20Block, ChaChaRandom, makeGetRandomValues, seedFromWx } from "./random.js";
export type { RandomSource, WxRandomSource } from "./random.js";
export { Utf8TextDecoder, Utf8TextEncoder } from "./text.js";
export type { Utf8TextDecoderOptions } from "./text.js";
export { monotonicClock } from "./clock.js";
export { asInstance, installWebAssemblyShim, SHIM_MARK } from "./webassembly.js";
export type { InstanceLike } from "./webassembly.js";

/** What {@link installPolyfills} did. */
export interface PolyfillState {
  /** Names of the globals this module defined (empty where the host has everything). */
  readonly installed: readonly string[];
  /**
   * Resolves once crypto.getRandomValues is seeded as well as the platform allows: with the
   * source of its key, or "native" when the host's own crypto is used.
   */
  readonly randomReady: Promise<RandomSource | "native">;
}

declare const __flooGlobal__: Record<string, unknown>;

/**
 * The global object. Old iOS JavaScriptCore versions lack `globalThis`, which wasm_exec.js uses
 * throughout; without eval or Function (both banned in mini-programs) the global object is
 * reached through a getter on Object.prototype, which the global object inherits.
 */
export function globalObject(): Record<string, unknown> {
  if (typeof globalThis === "object" && globalThis !== null) return globalThis as unknown as Record<string, unknown>;
  const proto = Object.prototype as unknown as Record<string, unknown>;
  Object.defineProperty(proto, "__flooGlobal__", {
    get() {
      return this;
    },
    configurable: true,
  });
  try {
    const g = __flooGlobal__;
    g.globalThis = g;
    return g;
  } finally {
    delete proto.__flooGlobal__;
  }
}

let state: PolyfillState | undefined;

/**
 * Installs the missing globals: globalThis, TextEncoder, TextDecoder, crypto.getRandomValues,
 * performance.now, setTimeout and clearTimeout on the global object, and a WebAssembly holding
 * only Instance. Idempotent: later calls return the
 * first call's state. `wx` supplies wx.getRandomValues for the random seed.
 */
export function installPolyfills(wx?: WxRandomSource): PolyfillState {
  if (state) return state;
  const installed: string[] = [];
  if (typeof globalThis !== "object" || globalThis === null) installed.push("globalThis");
  const g = globalObject();
  if (typeof g.TextEncoder !== "function") {
    g.TextEncoder = Utf8TextEncoder;
    installed.push("TextEncoder");
  }
  if (typeof g.TextDecoder !== "function") {
    g.TextDecoder = Utf8TextDecoder;
    installed.push("TextDecoder");
  }
  let randomReady: Promise<RandomSource | "native">;
  const c = g.crypto as { getRandomValues?: unknown } | undefined;
  if (c && typeof c.getRandomValues === "function") {
    randomReady = Promise.resolve("native");
  } else {
    const gen = new ChaChaRandom();
    const getRandomValues = makeGetRandomValues(gen);
    if (c && typeof c === "object") {
      Object.defineProperty(c, "getRandomValues", { value: getRandomValues, configurable: true, writable: true });
    } else {
      g.crypto = { getRandomValues };
    }
    installed.push("crypto.getRandomValues");
    randomReady = seedFromWx(gen, wx).then((ok) => {
      if (!ok) {
        console.warn(
          "floo-wasm: wx.getRandomValues is unavailable (base library < 2.15.0), so crypto.getRandomValues is seeded from Math.random and the clock: not cryptographically secure",
        );
      }
      return gen.source;
    });
  }
  const p = g.performance as { now?: unknown } | undefined;
  if (!p || typeof p.now !== "function") {
    const now = monotonicClock();
    if (p && typeof p === "object") {
      Object.defineProperty(p, "now", { value: now, configurable: true, writable: true });
    } else {
      g.performance = { now, timeOrigin: Date.now() };
    }
    installed.push("performance.now");
  }
  // Go's timers (internal/lite) look setTimeout and clearTimeout up on the global object, while a
  // mini-program module may see them only as variables of its scope.
  if (typeof g.setTimeout !== "function" && typeof setTimeout === "function") {
    g.setTimeout = setTimeout;
    installed.push("setTimeout");
  }
  if (typeof g.clearTimeout !== "function" && typeof clearTimeout === "function") {
    g.clearTimeout = clearTimeout;
    installed.push("clearTimeout");
  }
  if (installWebAssemblyShim(g)) installed.push("WebAssembly.Instance");
  state = { installed, randomReady };
  return state;
}
