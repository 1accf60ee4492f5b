// The client object `im` of the official API (JSAPI.md §3), over a Go client of the wasm module.

import { closedError, FlooError } from "./errors.js";
import { assertRunning, goModule, initialize, runtimeStopped } from "./loader.js";
import { makeManager, type ManagerHost } from "./managers.js";
import { Session, tsMethods } from "./managers/index.js";
import type { BrowserPlatformOptions } from "./transports/browser.js";
import { guardTransport } from "./transports/guard.js";
import type { GoClient, GoConfig } from "./types/bridge.js";
import type {
  ClientEvents,
  ConnectionState,
  EventName,
  FlooConfig,
  HttpTransport,
  GroupManage,
  IdInput,
  IdLoginOptions,
  Listener,
  ListenerMap,
  LoginOptions,
  LogLevel,
  LogoutOptions,
  LogoutResult,
  Platform,
  RosterManage,
  RtcManage,
  SysManage,
  UserManage,
} from "./types.js";

/** @deprecated The name of {@link UserManage} while the managers were being wired. */
export type UserManageMethods = UserManage;

/** @deprecated The name of {@link SysManage} while the managers were being wired. */
export type SysManageMethods = SysManage;

type AnyListener = (payload: unknown) => void;

/**
 * @internal What the browser and Node entries (index.ts) install, and the WeChat entry goes
 * without, keeping it out of its code: `platform`, the browser platform clients start from before
 * `config.platform` replaces parts of it (the WeChat entry passes a complete one), and
 * `checkEvent`, the run-time check of the event names given to on() and listen() (events.ts).
 */
export const entryHooks: {
  platform?: (options: BrowserPlatformOptions) => Platform;
  checkEvent?: (name: string) => void;
} = {};

/** Throws a FlooError returned by a synchronous Go method (Go functions cannot throw). */
function unwrap<T>(v: T | FlooError): T {
  if (v instanceof FlooError) throw v;
  return v;
}

/** Marks a Promise as handled while returning it unchanged: results also arrive as events. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}

/** typeof, except that null and arrays are named as such. */
function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/**
 * Checks the arguments of on, listen and off: an event name with a handler (optional for off),
 * or a map of handlers. A wrong one throws InvalidParam at once, rather than a listener that
 * never fires (or a TypeError from inside the SDK).
 */
function checkListenerArgs(method: string, nameOrMap: unknown, fn: unknown, needFn: boolean): void {
  const fail = (msg: string): never => {
    throw FlooError.fromName("InvalidParam", `${method}: ${msg}`);
  };
  if (typeof nameOrMap === "string") {
    if ((needFn || fn !== undefined) && typeof fn !== "function") fail(`the handler of ${nameOrMap} must be a function, got ${typeName(fn)}`);
    return;
  }
  if (typeof nameOrMap !== "object" || nameOrMap === null || Array.isArray(nameOrMap)) {
    fail(`the event name must be a string (or a map of handlers), got ${typeName(nameOrMap)}`);
  }
  for (const [name, f] of Object.entries(nameOrMap as Record<string, unknown>)) {
    if (f !== undefined && f !== null && typeof f !== "function") fail(`the handler of ${name} must be a function, got ${typeName(f)}`);
  }
}

function goConfig(c: FlooConfig): GoConfig {
  const g: GoConfig = {};
  const keys = ["appid", "dnsServer", "autoLogin", "logLevel", "linkServer", "requestTimeout", "connectTimeout", "loginTimeout", "heartbeatInterval", "sendTimeout", "deviceInfo", "sdkVersion"] as const;
  for (const k of keys) {
    if (c[k] !== undefined) (g as Record<string, unknown>)[k] = c[k];
  }
  return g;
}

/**
 * A Floo client: what `flooim(config)` returns. It can be used at once; calls made while the wasm
 * module loads wait for it (`await im.ready()` to wait explicitly). Each instance is independent
 * (JSAPI.md §14).
 */
export class FlooClient {
  // The shipped bundles are minified, which renames classes: keep this one's name for consoles
  // and im.constructor.name.
  static {
    Object.defineProperty(this, "name", { value: "FlooClient" });
  }

  #go: GoClient | undefined;
  readonly #ready: Promise<GoClient>;
  #closed = false;
  readonly #listeners = new Map<string, Set<AnyListener>>();
  readonly #unwatch: Array<() => void> = [];
  /** The session of the TypeScript managers (npm/src/managers/): the profile; the roster and group caches are the engine's. */
  readonly #session = new Session();
  /** The platform HTTP transport, set once the client starts: asyncFileUpload (managers/sys.ts) uploads with it. */
  #http: HttpTransport | undefined;

  /** The user and account methods (JSAPI.md §4). */
  readonly userManage: UserManage;
  /** Friends and one-to-one messages (JSAPI.md §5). */
  readonly rosterManage: RosterManage;
  /** Groups and group messages (JSAPI.md §6). */
  readonly groupManage: GroupManage;
  /** Sending, history, conversations, files and app values (JSAPI.md §7). */
  readonly sysManage: SysManage;
  /** RTC is not available yet: every method rejects with ServerRtcNotOpen. */
  readonly rtcManage: RtcManage;

  constructor(config: FlooConfig = {}) {
    this.#ready = this.#start(config);
    // Failures surface through ready() and every call; not as an unhandled rejection here.
    this.#ready.catch(() => {});
    const host: ManagerHost = {
      go: () => (this.#closed || runtimeStopped() ? undefined : this.#go),
      closed: () => this.#closed,
      call: (fn) => this.#call(fn),
    };
    const ts = tsMethods(
      { call: (fn) => this.#call(fn), go: () => host.go(), emit: (name, payload) => this.#deliver([[name, payload]]), closed: () => this.#closed },
      this.#session,
      () => this.#http,
    );
    this.userManage = makeManager("userManage", host, {
      ...ts.userManage,
      getAppid: () => this.#sync((go) => go.userManage.getAppid() as string, config.appid ?? "welovemaxim"),
    });
    this.rosterManage = makeManager("rosterManage", host, ts.rosterManage);
    this.groupManage = makeManager("groupManage", host, ts.groupManage);
    this.sysManage = makeManager("sysManage", host, ts.sysManage);
    this.rtcManage = makeManager("rtcManage", host);
  }

  async #start(config: FlooConfig): Promise<GoClient> {
    await initialize(config);
    if (this.#closed) throw closedError();
    const base = entryHooks.platform?.(config.websocket ? { WebSocket: config.websocket } : {});
    // Without a transport or http (the WeChat entry's FlooClient given no platform), the Go
    // side rejects the platform with InvalidParam.
    const platform = { ...base, ...config.platform } as Platform;
    this.#http = platform.http;
    const goPlatform = {
      transport: platform.transport && guardTransport(platform.transport),
      http: platform.http,
      deliver: (batch: Array<[string, unknown?]>) => this.#deliver(batch),
      FlooError,
      ...(platform.storage ? { storage: platform.storage } : {}),
      ...(platform.localStore && config.storage !== false ? { localStore: platform.localStore } : {}),
      ...(platform.log ? { log: platform.log.bind(platform) } : {}),
    };
    const go = unwrap(goModule().newClient(goConfig(config), goPlatform));
    this.#go = go;
    if (platform.watchNetwork) this.#unwatch.push(platform.watchNetwork((online) => go.setOnline(online)));
    if (platform.watchVisibility) this.#unwatch.push(platform.watchVisibility((visible) => go.setVisible(visible)));
    return go;
  }

  /** Resolves with this client once the wasm module is loaded and the client started. */
  async ready(): Promise<this> {
    await this.#ready;
    return this;
  }

  /** Runs an asynchronous Go method once the client is ready. */
  #call<T>(fn: (go: GoClient) => Promise<T> | T | FlooError): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#ready.then((go) => {
      if (this.#closed) throw closedError();
      assertRunning();
      return unwrap(fn(go));
    });
  }

  /** Runs a synchronous Go method, or returns the fallback before the client is ready. */
  #sync<T>(fn: (go: GoClient) => T | FlooError, fallback: T): T {
    const go = this.#go;
    if (!go || this.#closed || runtimeStopped()) return fallback;
    return unwrap(fn(go));
  }

  /** Hands a batch of events to the listeners, in order; a throwing listener does not stop the others. */
  #deliver(batch: Array<[string, unknown?]>): void {
    for (const [name, payload] of batch) {
      const set = this.#listeners.get(name);
      if (!set) continue;
      for (const fn of [...set]) {
        try {
          fn(payload);
        } catch (err) {
          console.error(`floo: a listener of ${name} threw`, err);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Login and session (JSAPI.md §3). login, idLogin, qrlogin and tokenLogin also report their
  // outcome through events (loginSuccess, loginFail), so their Promise never counts as an
  // unhandled rejection.

  /**
   * Logs in with a user name (or mobile) and password. Resolves on loginSuccess; rejects, with
   * loginFail, when the login cannot complete: `ServerDNSFailed` or `ServerConnectFailed` after three
   * immediate failures in a row, `SignInTimeout` after `loginTimeout` (30 s), or the server's refusal
   * at once (README "How a login settles").
   */
  login(opt: LoginOptions): Promise<void> {
    return quiet(this.#call((go) => go.login(opt)));
  }

  /** Logs in with a user id and password. Settles as login() does. */
  idLogin(opt: IdLoginOptions): Promise<void> {
    return quiet(this.#call((go) => go.idLogin(opt)));
  }

  /** Same as idLogin (used after a QR-code login). */
  qrlogin(opt: IdLoginOptions): Promise<void> {
    return this.idLogin(opt);
  }

  /** Logs in with a token obtained elsewhere; settles as login() does. `public_key` is accepted for compatibility. */
  tokenLogin(user_id: IdInput, token: string, public_key?: string): Promise<void> {
    return quiet(this.#call((go) => go.tokenLogin(user_id, token, public_key)));
  }

  /** An empty placeholder, as in the official client. */
  wxlogin(): void {}

  /** True when a session exists: a login was started and a token is known. */
  isLogin(): boolean {
    return this.#sync((go) => go.isLogin(), false);
  }

  /**
   * Ends the session: closes the connection, forgets the token and fires logout. Never reloads the
   * page. Sends already written get up to 3 s to be acknowledged first; those still pending are
   * listed in `unknown` (neither sent nor failed).
   */
  logout(opt?: LogoutOptions): Promise<LogoutResult> {
    return this.#call((go) => go.logout(opt));
  }

  /** Kicks the user's other web devices, then logs out (without reloading the page). */
  kickAllWeb(): Promise<void> {
    return this.#call((go) => go.kickAllWeb());
  }

  /**
   * Erases what the SDK stored: it logs out (firing logout), then forgets the user id, the token,
   * the device identity and the cached DNS reply, so that the next start is like a first one.
   * Unlike the official client it does not reload the page (JSAPI.md §14).
   */
  cleanup(): Promise<void> {
    return this.#call((go) => go.cleanup());
  }

  /** True once DNS is resolved and the SDK can log in. */
  isReady(): boolean {
    return this.#sync((go) => go.isReady(), false);
  }

  /** True once the app status is known; it comes with the DNS reply, so this is isReady(). */
  isAppInfoReady(): boolean {
    return this.isReady();
  }

  setLogLevel(level: LogLevel): void {
    if (!this.#go) {
      void this.#call((go) => go.setLogLevel(level)).catch((err) => console.error("floo: setLogLevel:", err));
      return;
    }
    this.#sync((go) => go.setLogLevel(level), undefined);
  }

  /** Closes the connection without logging out; no automatic reconnect until reconnect(). */
  disConnect(): void {
    void this.#call((go) => go.disConnect()).catch(() => {});
  }

  /** Extension: connects again at once after disConnect() or while waiting to retry. */
  reconnect(): void {
    void this.#call((go) => go.reconnect()).catch(() => {});
  }

  /** Extension: the connection state. */
  state(): ConnectionState {
    if (this.#closed) return "closed";
    return this.#sync((go) => go.state() as ConnectionState, "idle");
  }

  /** The ratel (REST) base URL once DNS is resolved, "" before. */
  get baseUrl(): string {
    return this.#sync((go) => go.servers().ratel, "");
  }

  /**
   * Extension: stops the client: closes the connection (the stored session stays for the next
   * start), delivers the remaining events and settles pending calls. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unwatch.splice(0)) off();
    const go = await this.#ready.catch(() => undefined);
    if (go && !runtimeStopped()) await go.close();
  }

  // -------------------------------------------------------------------------------------------
  // Events (JSAPI.md §8). Handlers are de-duplicated by identity (JSAPI.md §14).

  /** Subscribes `fn` to event `name`, or several handlers at once. */
  on<K extends EventName>(name: K, fn: Listener<K>): this;
  on(map: ListenerMap): this;
  on(nameOrMap: string | ListenerMap, fn?: (payload: any) => void): this {
    checkListenerArgs("on", nameOrMap, fn, true);
    if (typeof nameOrMap === "string") {
      entryHooks.checkEvent?.(nameOrMap);
      let set = this.#listeners.get(nameOrMap);
      if (!set) this.#listeners.set(nameOrMap, (set = new Set()));
      set.add(fn as AnyListener);
      return this;
    }
    for (const [name, f] of Object.entries(nameOrMap)) {
      if (f) this.on(name as EventName, f as AnyListener);
    }
    return this;
  }

  /** Alias of on. */
  listen<K extends EventName>(name: K, fn: Listener<K>): this;
  listen(map: ListenerMap): this;
  listen(nameOrMap: string | ListenerMap, fn?: (payload: any) => void): this {
    checkListenerArgs("listen", nameOrMap, fn, true);
    return typeof nameOrMap === "string" ? this.on(nameOrMap as EventName, fn as AnyListener) : this.on(nameOrMap);
  }

  /** Unsubscribes `fn` from event `name` (every handler of it when `fn` is omitted), or several at once. */
  off<K extends EventName>(name: K, fn?: Listener<K>): this;
  off(map: ListenerMap): this;
  off(nameOrMap: string | ListenerMap, fn?: (payload: any) => void): this {
    checkListenerArgs("off", nameOrMap, fn, false);
    if (typeof nameOrMap === "string") {
      if (fn === undefined) this.#listeners.delete(nameOrMap);
      else this.#listeners.get(nameOrMap)?.delete(fn as AnyListener);
      return this;
    }
    for (const [name, f] of Object.entries(nameOrMap)) {
      if (f) this.off(name as EventName, f as AnyListener);
    }
    return this;
  }

  /** Extension: resolves with the payload of the next `name` event. */
  once<K extends EventName>(name: K): Promise<ClientEvents[K]> {
    if (typeof name !== "string") return Promise.reject(FlooError.fromName("InvalidParam", `once: the event name must be a string, got ${typeName(name)}`));
    return new Promise((resolve) => {
      const fn = (payload: ClientEvents[K]) => {
        this.off(name, fn);
        resolve(payload);
      };
      this.on(name, fn);
    });
  }
}

/**
 * Creates a client (JSAPI.md §2). It returns at once; the wasm module loads in the background
 * and calls made meanwhile wait for it. Each call creates an independent client.
 */
export function flooim(config: FlooConfig = {}): FlooClient {
  return new FlooClient(config);
}
