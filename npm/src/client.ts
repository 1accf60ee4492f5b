// The client object `im` of the official API (JSAPI.md §3), over a Go client of the wasm module.

import { closedError, FlooError } from "./errors.js";
import { assertRunning, goModule, initialize, runtimeStopped } from "./loader.js";
import { isSyncMethod, makeManager, type Manager, type ManagerHost, type ManagerName } from "./managers.js";
import { searchCaches, Session, tsMethods, type SearchResult } from "./managers/index.js";
import { Args } from "./managers/args.js";
import { sysReads } from "./managers/sys.js";
import type { ConvState, TabHost, TabLink, TabState } from "./tabs.js";
import type { BrowserPlatformOptions } from "./transports/browser.js";
import { guardTransport } from "./transports/guard.js";
import type { GoClient, GoConfig } from "./types/bridge.js";
import type {
  ClientEvents,
  ConnectionState,
  ConversationEntry,
  EventName,
  FlooConfig,
  HttpTransport,
  GroupManage,
  IdInput,
  IdLoginOptions,
  Listener,
  LocalStoreBatch,
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
 * `checkEvent`, the run-time check of the event names given to on() and listen() (events.ts), and
 * `tabs`, which links the tabs of `tabs: "shared"` (the default) where the browser can (tabs.ts;
 * mini-programs have no tabs).
 */
export const entryHooks: {
  platform?: (options: BrowserPlatformOptions) => Platform;
  checkEvent?: (name: string) => void;
  tabs?: (name: string, host: TabHost) => TabLink | undefined;
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

/** The reads without arguments a leader publishes for its followers (tabs.ts TabState). */
const TAB_VALUES = [
  "userManage.getToken", "userManage.getUid", "userManage.getDeviceSN", "userManage.getConversationList",
  "rosterManage.getAllRosterDetail", "groupManage.getAllGroupDetail", "sysManage.getNoticeMessage", "sysManage.getServers",
  "sysManage.getLinkServer", "sysManage.getAppConfig", "sysManage.getAppStatus", "sysManage.getAccountVerification",
  "sysManage.getServerIp",
];

/** The friend ids (the roster cache's, not a public read), which a follower's makeSearch needs. */
const FRIEND_IDS = "rosterManage.cache:ids";

/** The event payload fields that name a conversation, whose reads a leader publishes again. */
const CONV_FIELDS = ["uid", "gid", "from", "to", "id", "groupId"];

/** A conversation type argument, "roster" or "group" (required when `need`). */
function convType(x: Args, v: unknown, need: boolean): void {
  const t = x.str(need ? x.need(v, "type") : v, "type");
  if (t !== "" && t !== "roster" && t !== "group") x.fail('type must be "roster" or "group"');
}

/** JSON given as text or an object; text must parse. */
function json(x: Args, v: unknown, name: string): void {
  const t = x.jsonText(v, name);
  if (t === "") return;
  try {
    JSON.parse(t);
  } catch {
    x.fail(`${name} is not valid JSON`);
  }
}

/** The fields of sendRosterMessage and sendGroupMessage, `to` naming the target (jsbridge's message). */
function message(x: Args, to: "uid" | "gid"): void {
  x.fid(to);
  x.text(x.need(x.f("content"), "content"), "content");
  x.fstr("type");
  x.ftext("ext");
  json(x, x.f("config"), "config");
  json(x, x.f("attachment"), "attachment");
}

/**
 * The argument checks of the synchronous methods a follower answers itself (the engine's checks,
 * jsbridge/*manage_js.go, which run only in the leader), so that a bad argument throws
 * InvalidParam in every tab.
 */
const FOLLOWER_CHECKS: Record<string, (x: Args) => void> = {
  sendRosterMessage: (x) => message(x, "uid"),
  sendGroupMessage: (x) => {
    message(x, "gid");
    x.num(x.f("priority"), "priority", 0, 0, 2 ** 31 - 1);
  },
  sendMentionMessage: (x) => {
    x.fid("gid");
    x.text(x.need(x.f("txt"), "txt"), "txt");
    x.fflag("mentionAll");
    x.fids("mentionList");
    x.ftext("mentionedMessage");
    x.ftext("pushMessage");
    x.fstr("senderNickname");
    x.ftext("ext");
  },
  sendInputStatusMessage: (x) => {
    x.id(x.arg(0), "uid");
    const st = x.str(x.arg(1), "status");
    if (st !== "typing" && st !== "nothing") x.fail('status must be "typing" or "nothing"');
  },
  forwardMessage: (x) => {
    if (!x.idOpt(x.f("uid"), "uid") && !x.idOpt(x.f("gid"), "gid")) x.fail("uid or gid is required");
    const m = x.f("message");
    if (typeof m !== "object" || m === null || Array.isArray(m)) x.fail(`message must be a message object, got ${m === null ? "null" : Array.isArray(m) ? "array" : typeof m}`);
    const o = m as Record<string, unknown>;
    x.str(o.type, "message.type");
    x.text(o.content, "message.content");
    json(x, o.ext, "message.ext");
    json(x, o.config, "message.config");
    json(x, o.attach, "message.attach");
  },
  markMessageUnread: (x) => {
    x.id(x.arg(0), "cid");
    x.id(x.arg(1), "mid");
    x.flag(x.arg(2), "isGroup");
  },
  getMessageStatus: (x) => {
    x.id(x.arg(0), "cid");
    x.id(x.arg(1), "mid");
    x.flag(x.arg(2), "isGroup");
  },
  saveConversationDraft: (x) => {
    x.id(x.arg(0), "id");
    convType(x, x.arg(1), true);
    x.text(x.arg(2), "draft");
  },
  touchConversation: (x) => {
    x.id(x.arg(0), "id");
    convType(x, x.arg(1), true);
  },
  getConversationDraft: (x) => {
    x.id(x.arg(0), "id");
    convType(x, x.arg(1), false);
  },
  consumeGroupAtStatus: (x) => void x.id(x.arg(0), "gid"),
  getRosterInfo: (x) => void x.id(x.arg(0), "rid"),
  getRosterMessageByRid: (x) => void x.id(x.arg(0), "uid"),
  getGruopMessage: (x) => void x.id(x.arg(0), "gid"),
  getUnreadCount: (x) => void x.id(x.arg(0), "id"),
  getGroupMembers: (x) => void x.id(x.arg(0), "gid"),
  makeSearch: (x) => void x.str(x.arg(0), "keyword"),
  getAppConfig: (x) => void x.str(x.arg(0), "appid"),
  getAppStatus: (x) => void x.str(x.arg(0), "appid"),
  getAccountVerification: (x) => void x.str(x.arg(0), "appid"),
  getServerIp: (x) => void x.str(x.arg(0), "appid"),
};

/** config.tabs, checked: "shared" (the default) or "independent". */
function checkTabs(v: unknown): "shared" | "independent" {
  if (v === undefined) return "shared";
  if (v === "shared" || v === "independent") return v;
  throw FlooError.fromName("InvalidParam", `tabs must be "shared" or "independent", got ${typeof v === "string" ? JSON.stringify(v) : typeName(v)}`);
}

/** The message status names of getMessageStatus by Message.status. */
const STATUS_NAMES = ["unread", "delivered", "read"];

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
  #ready: Promise<GoClient>;
  /** Shared tabs (config.tabs "shared", the default): this tab's link to the others; undefined when independent. */
  readonly #tabs: TabLink | undefined;
  /** Follower: the leader's state, which the synchronous reads answer from. */
  #tabState: TabState = { values: {}, convs: {} };
  /** Resolves once this tab leads or has the leader's state. */
  #role: Promise<void> = Promise.resolve();
  /** Leader: the conversation list entries last published, by id (JSON), to publish the changed ones. */
  #published = new Map<string, string>();
  /** Follower: the last client_mid handed out, and this tab's offset within a millisecond. */
  #lastMid = 0;
  readonly #midSlot = 500 + Math.floor(Math.random() * 400);
  /**
   * The sends this tab handed to a leader that are not yet "sent" or "failed", by client_mid: a
   * new leader queues them again under the same client_mid (the leader that took them may have
   * died before it acknowledged or stored them; the server's dedup keeps a copy it stored).
   */
  readonly #unconfirmed = new Map<string, { path: string; args: unknown[]; replied: boolean }>();
  /** Shared tabs: the client_mids confirmed lately ("sent" or "failed"), so that a late adopt is ignored. */
  readonly #confirmed = new Set<string>();
  /** Shared tabs: the ids of the messages delivered lately, as a new engine may deliver some again. */
  readonly #delivered = new Set<string>();
  /** The managers that run here (the public ones forward to the leader in a follower tab). */
  readonly #local: { [N in ManagerName]: Manager<N> };
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
    let settle!: () => void;
    this.#tabs =
      checkTabs(config.tabs) === "shared"
        ? entryHooks.tabs?.("floo-tabs:" + (config.appid ?? "welovemaxim"), {
            lead: () => {
              const go = this.#start(config);
              this.#engine(go);
              settle();
              // The followers' state may be stale from the previous leader: publish it whole.
              void go.then(() => this.#tabs!.state(this.#snapshot(), true)).catch(() => {});
            },
            run: (path, args, cmid) => this.#run(path, args, cmid),
            events: (batch) => this.#deliver(batch),
            state: (state, full) => {
              this.#tabState = full ? state : { values: state.values, convs: { ...this.#tabState.convs, ...state.convs } };
              if (full) settle();
            },
            snapshot: () => this.#snapshot(),
            changed: () => {
              for (const [mid, u] of this.#unconfirmed) if (u.replied) this.#submit(u.path, u.args, mid);
            },
            adopt: (path, args, mid) => {
              if (!this.#confirmed.has(mid)) this.#unconfirmed.set(mid, { path, args, replied: true });
            },
            depose: () => {
              // Another tab took the lock from this one (which the browser had frozen): stop this
              // engine, whose writes are already ignored, and follow.
              const go = this.#go;
              this.#go = undefined;
              this.#ready = this.#waitEngine();
              for (const off of this.#unwatch.splice(0)) off();
              if (go && !runtimeStopped()) void go.close().catch(() => {});
            },
          })
        : undefined;
    if (this.#tabs) {
      this.#ready = this.#waitEngine();
      this.#role = new Promise<void>((resolve) => (settle = resolve));
    } else {
      this.#ready = this.#start(config);
    }
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
    this.#local = {
      userManage: makeManager("userManage", host, {
        ...ts.userManage,
        getAppid: () => this.#sync((go) => go.userManage.getAppid() as string, config.appid ?? "welovemaxim"),
      }),
      rosterManage: makeManager("rosterManage", host, ts.rosterManage),
      groupManage: makeManager("groupManage", host, ts.groupManage),
      sysManage: makeManager("sysManage", host, ts.sysManage),
      rtcManage: makeManager("rtcManage", host),
    };
    this.userManage = this.#shared("userManage");
    this.rosterManage = this.#shared("rosterManage");
    this.groupManage = this.#shared("groupManage");
    this.sysManage = this.#shared("sysManage");
    this.rtcManage = this.#local.rtcManage;
  }

  /** Shared tabs: resolves with the engine started by #engine once this tab leads. */
  #engine: (go: Promise<GoClient>) => void = () => {};
  #waitEngine(): Promise<GoClient> {
    const p = new Promise<GoClient>((resolve) => (this.#engine = resolve));
    p.catch(() => {});
    return p;
  }

  /**
   * The public manager `name`: the local one, or in shared-tabs mode one whose asynchronous methods
   * run in the leader tab (here when this tab leads) and whose synchronous ones answer, in a
   * follower, from the leader's published state.
   */
  #shared<N extends ManagerName>(name: N): Manager<N> {
    const local = this.#local[name] as unknown as Record<string, (...a: unknown[]) => unknown>;
    const tabs = this.#tabs;
    if (!tabs) return local as unknown as Manager<N>;
    const out: Record<string, (...a: unknown[]) => unknown> = {};
    for (const [m, fn] of Object.entries(local)) {
      // A send in a tab that has just taken over waits for its engine's session, as a follower's.
      const send = /^(send|forward)[A-Z]/.test(m) && m !== "sendInputStatusMessage";
      const own = send
        ? (...a: unknown[]) => {
            // The leader's own send: the followers keep it until it is confirmed, and the next
            // leader queues it again if this tab closes first.
            const mid = fn(...a) as string;
            tabs.sent("send:" + `${name}.${m}`, a, mid);
            return mid;
          }
        : fn;
      out[m] = isSyncMethod(name, m)
        ? (...a) => (tabs.leading && this.#go && (!send || this.#go.isLogin()) ? own(...a) : this.#followerSync(name, m, a, fn))
        : (...a) => this.#route(`${name}.${m}`, a);
    }
    return out as unknown as Manager<N>;
  }

  /** Runs an asynchronous method here, or in shared-tabs mode in the leader tab. */
  #route(path: string, args: unknown[]): Promise<any> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#tabs ? this.#tabs.call(path, args) : Promise.resolve().then(() => this.#runLocal(path, args));
  }

  /**
   * Runs a call here: a top-level method ("login"), a manager method ("sysManage.getServers"), or
   * a send of a follower ("send:sysManage.sendRosterMessage") under the client_mid cmid that the
   * follower has returned.
   */
  #run(path: string, args: unknown[], cmid: number | undefined): Promise<unknown> {
    if (!path.startsWith("send:")) return Promise.resolve().then(() => this.#runLocal(path, args));
    // Sends enter the engine one after the other, in the order they came: each may wait for the
    // session, and their order is the order of the conversation.
    const run = this.#sends.then(() => this.#runSend(path, args, cmid));
    this.#sends = run.catch(() => {});
    return run;
  }

  /** The sends handed to this tab's engine by #run, chained. */
  #sends: Promise<unknown> = Promise.resolve();

  async #runSend(path: string, args: unknown[], cmid: number | undefined): Promise<unknown> {
    const go = await this.#ready;
    // A new leader resumes the stored session in the background: wait for it, briefly.
    for (let i = 0; i < 100 && !go.isLogin() && !this.#closed; i++) await new Promise((r) => setTimeout(r, 50));
    unwrap(go.useClientMid(String(cmid ?? 0)));
    try {
      return this.#runLocal(path.slice(5), args);
    } finally {
      go.useClientMid(0);
    }
  }

  #runLocal(path: string, args: unknown[]): unknown {
    const dot = path.indexOf(".");
    if (dot > 0) {
      const mgr = this.#local[path.slice(0, dot) as ManagerName] as unknown as Record<string, (...a: unknown[]) => unknown>;
      return mgr[path.slice(dot + 1)]!(...args);
    }
    const a = args as any[];
    switch (path) {
      case "login":
      case "idLogin":
      case "tokenLogin":
        return this.#login(path, a);
      case "logout":
        return this.#call((go) => go.logout(a[0]));
      case "kickAllWeb":
        return this.#call((go) => go.kickAllWeb());
      case "cleanup":
        return this.#call((go) => go.cleanup());
      case "setLogLevel":
        return this.#call((go) => go.setLogLevel(a[0]));
      case "disConnect":
        return this.#call((go) => go.disConnect());
      case "reconnect":
        return this.#call((go) => go.reconnect());
    }
    throw FlooError.fromName("GeneralError", `unknown call ${path}`);
  }

  /**
   * The logins. In shared-tabs mode the tabs share one session: a login of the user already
   * logged in resolves at once (every tab of an app may log in on load), and one of another user
   * is refused with UserAlreadyLogin until that session is logged out (docs/tabs.md).
   */
  async #login(kind: string, a: any[]): Promise<void> {
    const go = await this.#ready;
    // Only well-formed logins are compared with the session; the engine refuses the others before
    // it touches the session.
    const o = (a[0] ?? {}) as { name?: unknown; mobile?: unknown; password?: unknown; user_id?: unknown };
    const text = (v: unknown) => typeof v === "string" && v !== "";
    const id = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v > 0) || (typeof v === "string" && /^[1-9][0-9]*$/.test(v));
    const wellFormed = kind === "login" ? (text(o.name) || text(o.mobile)) && text(o.password) : kind === "idLogin" ? id(o.user_id) && text(o.password) : id(a[0]) && text(a[1]);
    if (this.#tabs && wellFormed && go.isLogin()) {
      const uid = String(go.userManage.getUid() ?? "");
      let same: boolean;
      if (kind === "login") {
        const p = (await this.#local.rosterManage.asyncGetUserProfile(false).catch(() => undefined)) as { username?: unknown; mobile?: unknown } | undefined;
        same = !!p && ((!!o.name && o.name === p.username) || (!!o.mobile && o.mobile === p.mobile));
      } else {
        same = String(kind === "idLogin" ? o.user_id : a[0]) === uid;
      }
      if (same) return;
      throw FlooError.fromName("UserAlreadyLogin", `user ${uid} is logged in in another tab of this browser (tabs: "shared"): log out first`);
    }
    return this.#call((go) => (kind === "login" ? go.login(a[0]) : kind === "idLogin" ? go.idLogin(a[0]) : go.tokenLogin(a[0], a[1], a[2])));
  }

  /** Hands a send of this tab to the leader under client_mid mid. */
  #submit(path: string, args: unknown[], mid: string): void {
    this.#tabs!.call(path, args, Number(mid)).then(
      () => {
        const u = this.#unconfirmed.get(mid);
        if (u) u.replied = true;
      },
      (err: unknown) => {
        if (!this.#unconfirmed.delete(mid)) return;
        const e = err instanceof FlooError ? err : FlooError.fromName("GeneralError", String(err));
        console.error(`floo: ${path.slice(5)} failed in the tab running the SDK`, e);
        this.#deliver([["onSendingMessageStatusChanged", { status: "failed", mid, errorCode: e.serverCode, errorReason: e.message }]]);
      },
    );
  }

  /** A synchronous manager method in a follower tab: answered from the leader's state. */
  #followerSync(mgr: ManagerName, m: string, a: unknown[], local: (...a: unknown[]) => unknown): unknown {
    const v = this.#tabState.values;
    const key = `${mgr}.${m}`;
    const conv = (): ConvState | undefined => this.#tabState.convs[String(a[0])];
    FOLLOWER_CHECKS[m]?.(new Args(key, a));
    switch (m) {
      case "sendRosterMessage":
      case "sendGroupMessage":
      case "sendMentionMessage":
      case "forwardMessage": {
        if (this.#closed) throw closedError();
        if (!v.isLogin) throw FlooError.fromName("UserNotLogin", `${key}: send needs a logged-in session`);
        // The client_mid is handed out here, in this tab's part of the millisecond; the leader
        // queues the send under it, once even if asked again after a change of leader.
        const cmid = Math.max(Date.now() * 1000 + this.#midSlot, this.#lastMid + 1);
        this.#lastMid = cmid;
        const mid = String(cmid);
        this.#unconfirmed.set(mid, { path: "send:" + key, args: a, replied: false });
        this.#submit("send:" + key, a, mid);
        return mid;
      }
      case "sendInputStatusMessage":
      case "deleteToken":
      case "saveConversationDraft":
      case "touchConversation":
      case "consumeGroupAtStatus":
      case "markMessageUnread": {
        this.#tabs!.call(key, a).catch((err: unknown) => console.error(`floo: ${key}:`, err));
        if (m !== "markMessageUnread") return undefined;
        // The leader changes it; the answer is the published message, marked as it will be.
        const msg = conv()?.messages.find((x) => String((x as { id?: unknown }).id) === String(a[1]));
        return msg ? { ...(msg as object), status: 0 } : null;
      }
      case "getRosterInfo":
        return ((v["rosterManage.getAllRosterDetail"] ?? {}) as Record<string, unknown>)[String(a[0])];
      case "getRosterMessageByRid":
      case "getGruopMessage":
        return [...(conv()?.messages ?? [])];
      case "getUnreadCount":
        return conv()?.unread ?? 0;
      case "getConversationDraft":
        return conv()?.draft ?? "";
      case "getGroupMembers":
        return [...(conv()?.members ?? [])];
      case "getMessageStatus": {
        const msg = conv()?.messages.find((x) => String((x as { id?: unknown }).id) === String(a[1])) as { status?: number } | undefined;
        return msg ? STATUS_NAMES[msg.status ?? 0] : undefined;
      }
      case "getImage":
      case "getAudio":
      case "getChatFile": {
        const servers = (v["sysManage.getServers"] ?? { ratel: "" }) as { ratel: string };
        const go = { servers: () => servers, userManage: { getToken: () => v["userManage.getToken"] ?? "", getAppid: () => this.#local.userManage.getAppid() } };
        return sysReads[m]!(new Args(key, a), go as unknown as GoClient);
      }
      case "makeSearch": {
        // The engine's message search (core SearchMessages: text messages of the listed
        // conversations, ASCII letters folded) over the published conversations, completed with
        // the friends and groups as in the leader.
        const kw = String(a[0]).replace(/^[ \t\r\n\v\f]+|[ \t\r\n\v\f]+$/g, "");
        const hits: SearchResult = { rosterArr: [], groupArr: [] };
        const fold = (t: string) => t.replace(/[A-Z]/g, (c) => c.toLowerCase());
        const k = fold(kw);
        for (const e of kw === "" ? [] : ((v["userManage.getConversationList"] ?? []) as ConversationEntry[])) {
          for (const x of (this.#tabState.convs[String(e.id)]?.messages ?? []) as Array<{ type?: unknown; content?: unknown }>) {
            if ((x.type === "text" || !x.type) && typeof x.content === "string" && fold(x.content).includes(k)) {
              if (e.type === "group") hits.groupArr.push({ group_id: e.id, content: x.content });
              else hits.rosterArr.push({ user_id: e.id, content: x.content });
            }
          }
        }
        const caches = { rosterManage: { cache: () => v[FRIEND_IDS], getAllRosterDetail: () => v["rosterManage.getAllRosterDetail"] ?? {} }, groupManage: { getAllGroupDetail: () => v["groupManage.getAllGroupDetail"] ?? {} } };
        return searchCaches(this.#session, caches as unknown as GoClient, String(a[0]), hits);
      }
    }
    return key in v ? v[key] : local(...a);
  }

  /**
   * Leader: the state the followers answer their synchronous reads from: every read without
   * arguments, and the reads of the conversations in `dirty` and of those whose list entry
   * changed since the last call (every conversation when dirty is undefined).
   */
  #snapshot(dirty?: Set<string>): TabState {
    const values: Record<string, unknown> = {};
    const read = (k: string, f: () => unknown) => {
      try {
        values[k] = f();
      } catch {
        // Not ready yet: the follower answers as before the engine runs.
      }
    };
    read("isLogin", () => this.isLogin());
    read("isReady", () => this.isReady());
    read("state", () => this.state());
    read("baseUrl", () => this.baseUrl);
    for (const k of TAB_VALUES) {
      const [mgr, m] = k.split(".") as [ManagerName, string];
      read(k, () => (this.#local[mgr] as unknown as Record<string, () => unknown>)[m]!());
    }
    read(FRIEND_IDS, () => this.#go?.rosterManage.cache!("ids"));
    const convs: Record<string, ConvState> = {};
    const list = (values["userManage.getConversationList"] ?? []) as ConversationEntry[];
    const seen = new Map<string, string>();
    const r = this.#local.rosterManage;
    const g = this.#local.groupManage;
    for (const e of list) {
      const id = String(e.id);
      const j = JSON.stringify(e);
      seen.set(id, j);
      if (dirty && !dirty.has(id) && this.#published.get(id) === j) continue;
      const group = e.type === "group";
      try {
        convs[id] = {
          group,
          messages: group ? g.getGruopMessage(id) : r.getRosterMessageByRid(id),
          unread: group ? g.getUnreadCount(id) : r.getUnreadCount(id),
          draft: e.draft,
          ...(group ? { members: g.getGroupMembers(id) } : {}),
        };
      } catch {
        // Not ready yet.
      }
    }
    if (dirty) this.#published = seen;
    return { values, convs };
  }

  async #start(config: FlooConfig): Promise<GoClient> {
    await initialize(config);
    if (this.#closed) throw closedError();
    const base = entryHooks.platform?.(config.websocket ? { WebSocket: config.websocket } : {});
    // Without a transport or http (the WeChat entry's FlooClient given no platform), the Go
    // side rejects the platform with InvalidParam.
    const platform = { ...base, ...config.platform } as Platform;
    this.#http = platform.http;
    // Shared tabs: an engine whose tab no longer leads (a frozen tab the others took the lock from)
    // must neither write what the tabs share nor speak for them: a kick it only learns of when it
    // thaws would otherwise erase the stored session the new leader runs on.
    const tabs = this.#tabs;
    const mine = () => !tabs || tabs.current;
    const storage = tabs && platform.storage ? { get: (k: string) => platform.storage!.get(k), set: (k: string, v: string) => void (mine() && platform.storage!.set(k, v)), remove: (k: string) => void (mine() && platform.storage!.remove(k)) } : platform.storage;
    const store = platform.localStore;
    const localStore = tabs && store ? { load: (u: string) => store.load(u), apply: async (u: string, b: LocalStoreBatch) => (mine() ? store.apply(u, b) : undefined), wipe: async (u: string) => (mine() ? store.wipe(u) : undefined), ...(store.messages !== undefined ? { messages: store.messages } : {}) } : store;
    const goPlatform = {
      transport: platform.transport && guardTransport(platform.transport),
      http: platform.http,
      deliver: (batch: Array<[string, unknown?]>) => void (mine() && this.#deliver(batch)),
      FlooError,
      ...(storage ? { storage } : {}),
      ...(localStore && config.storage !== false ? { localStore } : {}),
      ...(platform.log ? { log: platform.log.bind(platform) } : {}),
    };
    const go = unwrap(goModule().newClient(goConfig(config), goPlatform));
    this.#go = go;
    if (platform.watchNetwork) this.#unwatch.push(platform.watchNetwork((online) => go.setOnline(online)));
    if (platform.watchVisibility) this.#unwatch.push(platform.watchVisibility((visible) => go.setVisible(visible)));
    return go;
  }

  /**
   * Resolves with this client once the wasm module is loaded and the client started; in a
   * follower tab (shared tabs) once it has the leader's state.
   */
  async ready(): Promise<this> {
    await this.#role;
    if (!this.#tabs || this.#tabs.leading) await this.#ready;
    return this;
  }

  /**
   * True when the synchronous reads answer from the leader's state: in a follower tab, and in a
   * tab that has just taken over while its engine starts.
   */
  #following(): boolean {
    return this.#tabs !== undefined && (!this.#tabs.leading || this.#go === undefined);
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
    if (this.#tabs) batch = batch.filter(([name, p]) => this.#fresh(name, p as Record<string, unknown> | undefined));
    if (this.#tabs?.leading && this.#tabs.followers) {
      // The state first: a follower's listener reads it (getRosterMessageByRid in onRosterMessage).
      const dirty = new Set<string>();
      for (const [, p] of batch) {
        if (typeof p === "string" || typeof p === "number") dirty.add(String(p));
        else if (p !== null && typeof p === "object") {
          for (const f of CONV_FIELDS) {
            const x = (p as Record<string, unknown>)[f];
            if (typeof x === "string" || typeof x === "number") dirty.add(String(x));
          }
        }
      }
      this.#tabs.state(this.#snapshot(dirty), false);
      this.#tabs.events(batch);
    }
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

  /**
   * Shared tabs: false for a message delivered already (by id; history pages excepted), which an
   * engine taking over may deliver again when the previous one had not stored its progress yet.
   * Also ends the wait for a confirmation of this tab's sends.
   */
  #fresh(name: string, p: Record<string, unknown> | undefined): boolean {
    if (name === "onSendingMessageStatusChanged" && p && p.status !== "sending") {
      const mid = String(p.mid);
      this.#unconfirmed.delete(mid);
      this.#confirmed.add(mid);
      if (this.#confirmed.size > 10_000) this.#confirmed.delete(this.#confirmed.values().next().value!);
    }
    if ((name !== "onRosterMessage" && name !== "onGroupMessage") || !p || p.isHistory) return true;
    const id = String(p.id);
    if (this.#delivered.has(id)) return false;
    this.#delivered.add(id);
    if (this.#delivered.size > 10_000) this.#delivered.delete(this.#delivered.values().next().value!);
    return true;
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
    return quiet(this.#route("login", [opt]));
  }

  /** Logs in with a user id and password. Settles as login() does. */
  idLogin(opt: IdLoginOptions): Promise<void> {
    return quiet(this.#route("idLogin", [opt]));
  }

  /** Same as idLogin (used after a QR-code login). */
  qrlogin(opt: IdLoginOptions): Promise<void> {
    return this.idLogin(opt);
  }

  /** Logs in with a token obtained elsewhere; settles as login() does. `public_key` is accepted for compatibility. */
  tokenLogin(user_id: IdInput, token: string, public_key?: string): Promise<void> {
    return quiet(this.#route("tokenLogin", [user_id, token, public_key]));
  }

  /** An empty placeholder, as in the official client. */
  wxlogin(): void {}

  /** True when a session exists: a login was started and a token is known. */
  isLogin(): boolean {
    if (this.#following()) return !this.#closed && this.#tabState.values.isLogin === true;
    return this.#sync((go) => go.isLogin(), false);
  }

  /**
   * Ends the session: closes the connection, forgets the token and fires logout. Never reloads the
   * page. Sends already written get up to 3 s to be acknowledged first; those still pending are
   * listed in `unknown` (neither sent nor failed).
   */
  logout(opt?: LogoutOptions): Promise<LogoutResult> {
    return this.#route("logout", [opt]);
  }

  /** Kicks the user's other web devices, then logs out (without reloading the page). */
  kickAllWeb(): Promise<void> {
    return this.#route("kickAllWeb", []);
  }

  /**
   * Erases what the SDK stored: it logs out (firing logout), then forgets the user id, the token,
   * the device identity and the cached DNS reply, so that the next start is like a first one.
   * Unlike the official client it does not reload the page (JSAPI.md §14).
   */
  cleanup(): Promise<void> {
    return this.#route("cleanup", []);
  }

  /** True once DNS is resolved and the SDK can log in. */
  isReady(): boolean {
    if (this.#following()) return !this.#closed && this.#tabState.values.isReady === true;
    return this.#sync((go) => go.isReady(), false);
  }

  /** True once the app status is known; it comes with the DNS reply, so this is isReady(). */
  isAppInfoReady(): boolean {
    return this.isReady();
  }

  setLogLevel(level: LogLevel): void {
    if (this.#tabs) {
      // Checked here, as the engine that would check it may run in another tab.
      if (typeof level !== "string") throw FlooError.fromName("InvalidParam", `setLogLevel: level must be a string, got ${typeName(level)}`);
      if (!["debug", "info", "warn", "error", "off"].includes(level)) throw FlooError.fromName("InvalidParam", `unknown log level ${level}`);
      void this.#route("setLogLevel", [level]).catch((err) => console.error("floo: setLogLevel:", err));
      return;
    }
    if (!this.#go) {
      void this.#call((go) => go.setLogLevel(level)).catch((err) => console.error("floo: setLogLevel:", err));
      return;
    }
    this.#sync((go) => go.setLogLevel(level), undefined);
  }

  /** Closes the connection without logging out; no automatic reconnect until reconnect(). */
  disConnect(): void {
    void this.#route("disConnect", []).catch(() => {});
  }

  /** Extension: connects again at once after disConnect() or while waiting to retry. */
  reconnect(): void {
    void this.#route("reconnect", []).catch(() => {});
  }

  /** Extension: the connection state. */
  state(): ConnectionState {
    if (this.#closed) return "closed";
    if (this.#following()) return (this.#tabState.values.state as ConnectionState | undefined) ?? "idle";
    return this.#sync((go) => go.state() as ConnectionState, "idle");
  }

  /** The ratel (REST) base URL once DNS is resolved, "" before. */
  get baseUrl(): string {
    if (this.#following()) return (this.#tabState.values.baseUrl as string | undefined) ?? "";
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
    // A follower never started an engine; a leader stops its own before another tab takes over.
    const go = this.#tabs && !this.#tabs.leading ? undefined : await this.#ready.catch(() => undefined);
    if (go && !runtimeStopped()) await go.close();
    this.#tabs?.close();
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
