// The one place the app creates its Floo client. Everything else reaches the SDK through the
// managers exported here, with the package's own types.

import flooim, { FlooError, type FlooClient } from "floo-wasm";

export type {
  ConversationEntry,
  Device,
  FlooClient,
  GroupInfo,
  GroupInvitation,
  Member,
  Message,
  NoticeMeta,
  RosterApplication,
  RosterItem,
  SendingStatusPayload,
  Uid,
} from "floo-wasm";
export { FlooError };

/** The attachment of image and file messages (PROTOCOL.md §12.1). */
export interface Attachment {
  url: string;
  /** Display file name. */
  dName?: string;
  /** Size in bytes. */
  fLen?: number;
  width?: number;
  height?: number;
  /** Thumbnail URL. */
  tUrl?: string;
}

/** The client and its managers. */
export interface Sdk {
  im: FlooClient;
  user: FlooClient["userManage"];
  roster: FlooClient["rosterManage"];
  group: FlooClient["groupManage"];
  sys: FlooClient["sysManage"];
}

/**
 * Where the reference server lives. `make demo` serves the app from the server itself, so the
 * page's own origin is right; `npm run dev` sets VITE_FLOO_SERVER to point at one elsewhere.
 */
export function serverOrigin(): string {
  return (import.meta.env.VITE_FLOO_SERVER as string | undefined) || location.origin;
}

/**
 * Creates the client: one per page. The session of the last login persists in localStorage, and
 * autoLogin (on by default) resumes it when the page loads again.
 */
export function createSdk(): Sdk {
  const im = flooim({
    appid: "welovemaxim",
    dnsServer: serverOrigin() + "/v2/app_dns",
    ws: true,
    logLevel: "warn",
  });
  return { im, user: im.userManage, roster: im.rosterManage, group: im.groupManage, sys: im.sysManage };
}

/**
 * Calls a synchronous SDK read that may throw (a FlooError for a bad argument, say) and gives
 * `fallback` instead, so that one odd value cannot break a whole screen.
 */
export function read<T>(what: string, fn: () => T | undefined, fallback: T): T {
  try {
    return fn() ?? fallback;
  } catch (err) {
    console.warn(`floo example: ${what}:`, err);
    return fallback;
  }
}

/** Calls an SDK method that returns a value or a Promise, or throws, and always gives a Promise. */
export function call<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** A readable text for any rejection. */
export function errorText(err: unknown): string {
  if (err instanceof FlooError) return err.message || err.sdkName;
  if (err instanceof Error) return err.message;
  return String(err);
}
