// The surface the Go side registers (jsbridge.Module, newClient) as the npm package sees it.
// Private: nothing in the public API refers to these types, and .d.ts files under src/ are not
// shipped.

import type { FlooError } from "../errors.js";
import type { HttpTransport, IdLoginOptions, KeyValueStorage, LocalStore, LoginOptions, LogLevel, LogoutOptions, LogoutResult, Servers, SocketTransport } from "../types.js";

/** globalThis.__flooWasm, set by wasm/main_js.go. */
export interface GoModule {
  readonly version: string;
  /** Returns the client, or a FlooError when config or platform are unusable. */
  newClient(config: GoConfig, platform: GoPlatform): GoClient | FlooError;
}

/** The options jsbridge.readConfig reads. */
export interface GoConfig {
  appid?: string;
  dnsServer?: string;
  autoLogin?: boolean;
  logLevel?: LogLevel;
  linkServer?: string;
  requestTimeout?: number;
  connectTimeout?: number;
  loginTimeout?: number;
  heartbeatInterval?: number;
  sendTimeout?: number;
  deviceInfo?: string;
  sdkVersion?: string;
}

/** What newClient needs from JavaScript. */
export interface GoPlatform {
  transport: SocketTransport;
  http: HttpTransport;
  storage?: KeyValueStorage;
  localStore?: LocalStore;
  /**
   * Receives the events in order, in batches of [name, payload] pairs, parsed from one JSON
   * document; an event whose payload is undefined comes as [name].
   */
  deliver(batch: Array<[string, unknown?]>): void;
  FlooError: typeof FlooError;
  log?(level: LogLevel, message: string): void;
}

/**
 * A Go client. Synchronous methods return a FlooError value instead of throwing (a Go function
 * cannot throw); the facade throws it. Asynchronous methods return Promises that reject with
 * FlooErrors. After close() resolves, the methods are gone.
 */
export interface GoClient {
  login(opt: LoginOptions): Promise<void>;
  idLogin(opt: IdLoginOptions): Promise<void>;
  tokenLogin(uid: unknown, token: unknown, publicKey?: unknown): Promise<void>;
  logout(opt?: LogoutOptions): Promise<LogoutResult>;
  kickAllWeb(): Promise<void>;
  cleanup(): Promise<void>;
  isLogin(): boolean;
  isReady(): boolean;
  state(): string;
  setLogLevel(level: unknown): undefined | FlooError;
  disConnect(): void;
  reconnect(): void;
  setOnline(online: boolean): undefined | FlooError;
  setVisible(visible: boolean): undefined | FlooError;
  servers(): Servers;
  close(): Promise<void>;
  /**
   * One REST call against the session's ratel host (jsbridge/rest_js.go): resolves with the
   * envelope's data (integers beyond 2^53 as decimal strings), rejects with a FlooError.
   */
  rest(req: { method: string; path: string; query?: Array<[string, string]>; body?: string }): Promise<any>;
  /** Makes the next message send use client_mid cmid ("0" clears it): shared tabs (tabs.ts). */
  useClientMid(cmid: string | number): undefined | FlooError;
  /**
   * The managers (jsbridge/*manage_js.go): every official method except rtcManage's. Synchronous
   * ones return their value or a FlooError, asynchronous ones a Promise.
   */
  userManage: GoManager;
  rosterManage: GoManager;
  groupManage: GoManager;
  sysManage: GoManager;
}

/** A manager object of the Go client. */
export type GoManager = Record<string, (...args: unknown[]) => unknown>;
