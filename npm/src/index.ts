// floo-wasm: the Floo (Lanying IM) client SDK, in Go compiled to WebAssembly, with the official
// JavaScript API. `flooim(config)` is the entry point; see JSAPI.md for the API it follows.

import { entryHooks, flooim } from "./client.js";
import { warnUnknownEvent } from "./events.js";
import { browserPlatform } from "./transports/browser.js";
import { linkTabs } from "./tabs.js";

entryHooks.platform = browserPlatform;
entryHooks.checkEvent = warnUnknownEvent;
entryHooks.tabs = linkTabs;

export default flooim;
export { flooim, FlooClient } from "./client.js";
export type { SysManageMethods, UserManageMethods } from "./client.js";
export { FlooError, ErrorCode, ErrorCodeNames, ErrorCodeClass } from "./errors.js";
export type { ErrorClass, ErrorCodeName, ErrorCodeNumber, FlooErrorFields, FlooErrorSource } from "./errors.js";
export { initialize } from "./loader.js";
export { managerMethods } from "./managers.js";
export type { Manager, ManagerName, Managers, PendingMethod } from "./managers.js";
export { browserPlatform, fetchTransport, memoryStorage, webSocketTransport, webStorage } from "./transports/browser.js";
export { indexedDBStore } from "./storage/indexeddb.js";
export type { BrowserPlatformOptions } from "./transports/browser.js";
export type * from "./types.js";
