// floo-wasm/wechat: the SDK in a WeChat mini-program. Same API as the main entry (`flooim`,
// `FlooClient`, `FlooError`...), over the wx platform (transports/wechat.ts), with the module
// loaded through WXWebAssembly.instantiate from a path inside the code package. Importing this
// entry installs nothing; the first flooim() or initialize() installs the polyfills wasm_exec.js
// needs (polyfills/index.ts), where the host lacks them. The browser entry never imports this file.

import { FlooClient } from "./client.js";
import { FlooError } from "./errors.js";
import { initialize as loaderInitialize } from "./loader.js";
import { asInstance, globalObject, installPolyfills } from "./polyfills/index.js";
import { hostWx, wechatPlatform, type WxApi, type WxHttpOptions, type WxSocketOptions } from "./transports/wechat.js";
import type { FlooConfig, InitializeOptions, Platform } from "./types.js";

/**
 * Where the module is loaded from by default: the copy in this package's miniprogram folder, as
 * WeChat DevTools' "Build npm" places it (miniprogram_npm/floo-wasm/floo.wasm.br under the
 * mini-program root). Pass `wasmPath` when it lives elsewhere, e.g. in a subpackage.
 */
export const DEFAULT_WASM_PATH = "/miniprogram_npm/floo-wasm/floo.wasm.br";

/** The part of WXWebAssembly the loader uses. */
export interface WXWebAssemblyLike {
  instantiate(path: string, imports: WebAssembly.Imports): Promise<unknown>;
}

/** How the WeChat entry loads the module. */
export interface WechatInitializeOptions {
  /**
   * Path of `floo.wasm.br` (or `floo.wasm`) inside the code package, from its root. Default
   * {@link DEFAULT_WASM_PATH}. `.wasm.br` needs base library 2.14.0.
   */
  wasmPath?: string;
  /** The wx API. Default: the global `wx`. */
  wx?: WxApi;
  /** Default: the global `WXWebAssembly` (base library 2.13.0). */
  WXWebAssembly?: WXWebAssemblyLike;
  /** Replaces the WXWebAssembly loading entirely (the polyfills are still installed first). */
  instantiate?: InitializeOptions["instantiate"];
}

/** Options of the WeChat `flooim(config)`: those of the main entry plus the WeChat ones. */
export interface WechatFlooConfig extends Omit<FlooConfig, "wasmURL" | "wasmModule" | "websocket" | "instantiate">, WechatInitializeOptions {
  /** Options of wx.connectSocket. */
  socket?: WxSocketOptions;
  /** Options of wx.request and wx.uploadFile. */
  http?: WxHttpOptions;
}

declare const WXWebAssembly: WXWebAssemblyLike | undefined;

function hostWXWebAssembly(): WXWebAssemblyLike | undefined {
  if (typeof WXWebAssembly !== "undefined" && WXWebAssembly) return WXWebAssembly;
  return (globalThis as { WXWebAssembly?: WXWebAssemblyLike }).WXWebAssembly;
}

/**
 * Installs the polyfills (synchronously: wasm_exec.js is evaluated later, by the loader) and
 * returns the loader's instantiate hook: it waits for the random seed, then instantiates through
 * WXWebAssembly and hands Go an object that passes `instanceof WebAssembly.Instance`.
 */
function wechatInstantiate(options: WechatInitializeOptions): NonNullable<InitializeOptions["instantiate"]> {
  const w = options.wx ?? hostWx();
  const poly = installPolyfills(w);
  return async (imports) => {
    await poly.randomReady;
    const g = globalObject();
    if (options.instantiate) return asInstance(await options.instantiate(imports), g);
    const WXWA = options.WXWebAssembly ?? hostWXWebAssembly();
    if (!WXWA || typeof WXWA.instantiate !== "function") {
      throw FlooError.fromName("GeneralError", "WXWebAssembly is not available: floo-wasm needs WeChat base library 2.13.0+ (2.14.0+ for .wasm.br)");
    }
    const path = options.wasmPath ?? DEFAULT_WASM_PATH;
    let result: unknown;
    try {
      result = await WXWA.instantiate(path, imports);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw FlooError.fromName("GeneralError", `cannot instantiate ${path} with WXWebAssembly: ${msg}`);
    }
    return asInstance(result, g);
  };
}

/**
 * Loads and starts the wasm module through WXWebAssembly. It runs once per mini-program (later
 * calls return the same Promise, whatever their options) and can be retried after a failure.
 * flooim() calls it; call it yourself to load early or to pass options once for every client.
 */
export function initialize(options: WechatInitializeOptions = {}): Promise<void> {
  return loaderInitialize({ instantiate: wechatInstantiate(options) });
}

/**
 * Creates a client (JSAPI.md §2) on the WeChat platform. It returns at once; the module loads in
 * the background and calls made meanwhile wait for it. `config.platform` replaces pieces of the
 * WeChat platform (storage, transports, signals).
 */
export function flooim(config: WechatFlooConfig = {}): FlooClient {
  const { wasmPath, wx, WXWebAssembly: WXWA, instantiate, socket, http, platform, ...rest } = config;
  const base = wechatPlatform({ ...(wx ? { wx } : {}), ...(socket ? { socket } : {}), ...(http ? { http } : {}) });
  const merged: Platform = { ...base, ...platform };
  const init: WechatInitializeOptions = {};
  if (wasmPath !== undefined) init.wasmPath = wasmPath;
  if (wx) init.wx = wx;
  if (WXWA) init.WXWebAssembly = WXWA;
  if (instantiate) init.instantiate = instantiate;
  return new FlooClient({ ...rest, platform: merged, instantiate: wechatInstantiate(init) });
}

export default flooim;
export { FlooClient } from "./client.js";
export type { SysManageMethods, UserManageMethods } from "./client.js";
export { FlooError, ErrorCode, ErrorCodeNames, ErrorCodeClass } from "./errors.js";
export type { ErrorClass, ErrorCodeName, ErrorCodeNumber, FlooErrorFields, FlooErrorSource } from "./errors.js";
export { managerMethods } from "./managers.js";
export type { Manager, ManagerName, PendingMethod } from "./managers.js";
export { memoryStorage } from "./transports/memory.js";
export {
  hostWx,
  watchWxNetwork,
  watchWxVisibility,
  wechatPlatform,
  wxFailure,
  wxHttpTransport,
  wxSocketTransport,
  wxStorage,
} from "./transports/wechat.js";
export type {
  WechatPlatformOptions,
  WxApi,
  WxError,
  WxFileSystemManager,
  WxHttpOptions,
  WxRequestOptions,
  WxSocketOptions,
  WxSocketTask,
  WxUploadOptions,
  WxUploadTask,
} from "./transports/wechat.js";
export { wxLocalStore } from "./storage/wechat.js";
export { installPolyfills } from "./polyfills/index.js";
export type { PolyfillState } from "./polyfills/index.js";
export type * from "./types.js";
