// Public types of the facade. Shapes follow the official Floo JavaScript API (JSAPI.md); 64-bit
// ids are decimal strings, user and group ids numbers (strings beyond 2^53).

import type { FlooError } from "./errors.js";

/** Log thresholds of the `logLevel` option, most verbose first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "off";

/** A user or group id as the facade returns it: a number, or a decimal string beyond 2^53 - 1. */
export type Uid = number | string;

/** An id as the facade accepts it: a number (at most 2^53 - 1) or a decimal string. */
export type IdInput = number | string;

/** Connection states (the `connectionStateChanged` event and `im.state()`). */
export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "disconnected" | "closed";

// ---------------------------------------------------------------------------------------------
// Platform: what the Go core needs from the JavaScript host. The browser build implements it in
// transports/browser.ts; pass your own pieces through `FlooConfig.platform` (tests, other hosts).

/** Hooks a {@link SocketTransport} calls for one connection. */
export interface SocketHooks {
  onopen(): void;
  /** One binary message. */
  onmessage(data: Uint8Array | ArrayBuffer): void;
  onclose(code: number, reason: string): void;
  onerror(message: string): void;
}

/**
 * A binary message socket (WebSocket, wx.connectSocket). `connect` returns an opaque handle that
 * Go passes back to `send` and `close`. After `close(handle)` returned, or after `onclose` was
 * called, no hook of that connection may be called again; the SDK wraps every transport in a guard
 * that enforces this.
 */
export interface SocketTransport {
  connect(url: string, hooks: SocketHooks): unknown;
  send(handle: unknown, data: Uint8Array): void;
  close(handle: unknown, code: number, reason: string): void;
}

/** One HTTP request of the REST API or the DNS lookup. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  signal?: AbortSignal;
}

/** An HTTP response; header names lower-case. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A multipart/form-data upload: `fields` in order, then the file. */
export interface UploadRequest {
  url: string;
  headers: Record<string, string>;
  fields: Array<[string, string]>;
  fileField: string;
  fileName: string;
  contentType: string;
  /** A Blob or File in browsers, bytes, or a temporary file path on WeChat. */
  file: Blob | Uint8Array | string;
  /** Size in bytes, 0 when unknown. */
  size: number;
  signal?: AbortSignal;
}

/**
 * HTTP for REST calls, the DNS lookup and uploads. Any HTTP status resolves; only a failure to get
 * a response rejects (an Error named `TimeoutError` for timeouts).
 */
export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
  upload(req: UploadRequest, onProgress: (loaded: number, total: number) => void): Promise<HttpResponse>;
}

/** A small synchronous key-value store (localStorage, wx.getStorageSync). */
export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** The host pieces the SDK runs on. */
export interface Platform {
  transport: SocketTransport;
  http: HttpTransport;
  /** Where the session, deviceSN and DNS result persist. Defaults to memory (nothing persists). */
  storage?: KeyValueStorage;
  /** Calls `onChange` when the device goes online or offline; returns an unsubscribe function. */
  watchNetwork?(onChange: (online: boolean) => void): () => void;
  /** Calls `onChange` when the page is shown or hidden; returns an unsubscribe function. */
  watchVisibility?(onChange: (visible: boolean) => void): () => void;
  /** Receives the SDK's log lines. Defaults to the console. */
  log?(level: LogLevel, message: string): void;
}

/** A WebSocket constructor, e.g. the `ws` package's `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** How to load the wasm module; see {@link initialize}. */
export interface InitializeOptions {
  /** Where to fetch `floo.wasm` from. Defaults to the copy next to the package's `index.js`. */
  wasmURL?: string | URL;
  /** An already compiled module. */
  wasmModule?: WebAssembly.Module;
  /**
   * Custom instantiation, e.g. `WXWebAssembly.instantiate(path, imports)` in WeChat
   * mini-programs. Receives the Go import object.
   */
  instantiate?: (imports: WebAssembly.Imports) => Promise<WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource>;
}

/**
 * Options of `flooim(config)`: the official ones (JSAPI.md §2) and the facade's extensions. Times
 * are in milliseconds; 0 or absent means the SDK default.
 */
export interface FlooConfig extends InitializeOptions {
  /** App id. Default: `"welovemaxim"`, Lanying's demo app. */
  appid?: string;
  /** Accepted for compatibility; the facade always uses a raw WebSocket (JSAPI.md §14). */
  ws?: boolean;
  /** Resume the stored session of this app at start. Default: true. */
  autoLogin?: boolean;
  /** Full URL of a DNS endpoint, used alone when set. */
  dnsServer?: string;
  /** Default: `"warn"`. */
  logLevel?: LogLevel;
  /** Accepted for compatibility; not used yet. */
  linkServer?: string;

  /** WebSocket constructor for hosts without a global one (Node before 22: the `ws` package). */
  websocket?: WebSocketConstructor;
  /** Replaces pieces of the browser platform. */
  platform?: Partial<Platform>;
  /** Bound of every REST and DNS request. Default 20 s. */
  requestTimeout?: number;
  /** Bound of a connection attempt. Default 10 s (growing by 20 s per failed attempt). */
  connectTimeout?: number;
  /** Heartbeat period. Default 50 s. */
  heartbeatInterval?: number;
  /** How long a send may stay unacknowledged before it fails. Default 60 s. */
  sendTimeout?: number;
  /** `Provision.device_info`. Default `"Web"`. */
  deviceInfo?: string;
  /** `Provision.sdk_vsn`. Default `"2.0.0"`. */
  sdkVersion?: string;
}

// ---------------------------------------------------------------------------------------------
// Login and logout.

export interface LoginOptions {
  name?: string;
  /** Used when `name` is empty. */
  mobile?: string;
  password: string;
}

export interface IdLoginOptions {
  user_id: IdInput;
  password: string;
}

export interface LogoutOptions {
  /** Also kick the user's other web devices. */
  quitAllWeb?: boolean;
  /** Accepted for compatibility (the facade never reloads the page). */
  deleteUser?: boolean;
  /** Accepted for compatibility (the facade never reloads the page). */
  linkLogin?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Payloads (JSAPI.md §8, §10, §11).

/** The message object (JSAPI.md §10). */
export interface Message {
  /** Server message id; while sending, the client_mid. */
  id: string;
  from: string;
  to: string;
  content: string;
  type: "text" | "image" | "audio" | "video" | "file" | "location" | "command" | "forward" | "rtc" | (string & {});
  ext: string;
  /** Parsed config; integers beyond 2^53 are decimal strings. */
  config?: Record<string, unknown>;
  /** Parsed attachment. */
  attach?: Record<string, unknown>;
  /** 0 unread, 1 delivered, 2 read. */
  status: 0 | 1 | 2;
  /** Milliseconds. */
  timestamp: string;
  toType: "roster" | "group";
  is_system?: boolean;
  isHistory: boolean;
  isNative: boolean;
  isPlayed: boolean;
  editTimestamp: string;
  appendedContent?: string;
  appendConfig?: Record<string, unknown>;
  appendExt?: string;
  replaceConfig?: Record<string, unknown>;
  replaceExt?: string;
}

/** A user or device address in notices. */
export interface XID {
  uid: string;
  deviceSN: number;
}

/** A roster or group notice (JSAPI.md §11). */
export interface NoticeMeta {
  id: string;
  from: XID;
  to: XID;
  timestamp: string;
  ns: number;
  payload: {
    type: number;
    gid?: XID;
    from: XID;
    to: XID[];
    content: string;
    roster_vsn?: string;
  };
}

export type FlooNoticePayload =
  | { category: "loginMessage" | "action" | "userNotice"; desc: string }
  | { category: "conversation_deleted"; desc: { id: Uid; source: "user_operation" | "other_operation" } };

export interface FlooErrorPayload {
  /** A category name, or an XSYNC status number. */
  category: string | number;
  desc: string;
  code?: number;
  error?: FlooError;
}

export interface SendingStatusPayload {
  status: "sending" | "sent" | "failed";
  /** The client_mid. */
  mid: string;
  uid?: Uid;
  message?: Message;
  /** The XSYNC status number (0 for failures without one, such as a timeout). */
  errorCode?: number;
  errorReason?: string;
  error?: FlooError;
}

export interface UidMid {
  uid: Uid;
  mid: string;
}

export interface GroupBanPayload {
  groupId: Uid;
  toUids: Uid[];
  content?: string;
  all?: boolean;
}

/** Payloads by event name (JSAPI.md §8 and the facade's extensions). */
export interface ClientEvents {
  loginSuccess: Record<string, never>;
  /** `"socket_failure"` or `"token failure:" + message`. */
  loginFail: string;
  logout: undefined;
  flooNotice: FlooNoticePayload;
  flooError: FlooErrorPayload;
  onRosterMessage: Message;
  onGroupMessage: Message;
  onRosterRTCMessage: Message;
  onMentionMessage: Message;
  onInputStatusMessage: { ext: string; from: Uid; to: Uid };
  onReceiveHistoryMsg: { next: string; uid: Uid };
  onSendingMessageStatusChanged: SendingStatusPayload;
  onMessageStatusChanged: UidMid;
  onMessageRecalled: UidMid;
  onMessageDeleted: UidMid;
  onMessageCanceled: UidMid;
  onRosterMessageContentAppend: Message;
  onGroupMessageContentAppend: Message;
  onRosterMessageReplace: Message;
  onGroupMessageReplace: Message;
  /** The conversation id. */
  onUnreadChange: Uid;
  recentlistUpdate: undefined;
  onRosterListUpdate: NoticeMeta | undefined;
  onRosterInfoUpdate: Uid[];
  onRosterApplied: NoticeMeta;
  onRosterAccepted: NoticeMeta;
  onRosterDeclined: NoticeMeta;
  onRosterRemoved: NoticeMeta;
  onGroupListUpdate: NoticeMeta | undefined;
  /** The group id. */
  onGroupMemberChanged: Uid;
  onGroupCreated: NoticeMeta;
  onGroupDestoryed: NoticeMeta;
  onGroupJoined: NoticeMeta;
  onGroupLeaved: NoticeMeta;
  onGroupKicked: NoticeMeta;
  onGroupApplyAccepted: NoticeMeta;
  onGroupApplyDeclined: NoticeMeta;
  onGroupInvitedAccepted: NoticeMeta;
  onGroupInvitedDeclined: NoticeMeta;
  onGroupOwnerAssigned: NoticeMeta;
  onGroupAdminGranted: NoticeMeta;
  onGroupAdminRevoked: NoticeMeta;
  onGroupMuted: NoticeMeta;
  onGroupUnmuted: NoticeMeta;
  onGroupUnblocked: NoticeMeta;
  onGroupAnnouncementUpdated: NoticeMeta;
  onGroupNotice: NoticeMeta;
  onGroupBaned: GroupBanPayload;
  onGroupUnbaned: GroupBanPayload;
  /** Extension: the connection state changed; `error` is the cause of a drop. */
  connectionStateChanged: { state: ConnectionState; error?: FlooError };
  /** Extension: an error of the running session that is not the answer to a call. */
  sessionError: FlooError;
  /** Extension: an internal problem, such as a failing event conversion. */
  error: FlooError;
  /** Extension: an RTC signal for the RTC layer. */
  rtcSignal: { id: string; from: Uid; to: Uid; content: string; mediaServer: string };
}

export type EventName = keyof ClientEvents;

/** A handler of event `K`. */
export type Listener<K extends EventName = EventName> = (payload: ClientEvents[K]) => void;

/** Several handlers at once, for `im.on({name: fn, ...})`. */
export type ListenerMap = { [K in EventName]?: Listener<K> };

/** `sysManage.getServers()` and the URLs in use; empty before DNS is resolved. */
export interface Servers {
  ratel: string;
  fireplace: string;
  rtc: string;
}
