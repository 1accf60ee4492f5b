// Public types of the facade. Shapes follow the official Floo JavaScript API (JSAPI.md); 64-bit
// ids are decimal strings, user and group ids numbers (strings beyond 2^53).

import type { FlooError } from "./errors.js";
import type { StaticVarsTables } from "./staticvars.js";

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

/** One transaction of a {@link LocalStore}: records in the format of `npm/src/storage/records.ts`. */
export interface LocalStoreBatch {
  /** Conversation ids (8 bytes each, big-endian) whose messages all go, before `records`. */
  drop: Uint8Array;
  /** Records to put, or to delete (length 0xFFFFFFFF). */
  records: Uint8Array;
  /** After `records`, each conversation given a message keeps its `keep` newest; 0 keeps all. */
  keep: number;
}

/**
 * Where the SDK keeps the user's conversation list, unread counts, recent messages and outbox
 * across reloads (docs/localstore.md): IndexedDB in browsers ({@link indexedDBStore}), wx storage in
 * mini-programs. Records are per user (`"<appid>/<uid>"`); the values are opaque bytes.
 */
export interface LocalStore {
  /** Every record of `user`, concatenated, or null when there is none. */
  load(user: string): Promise<Uint8Array | null>;
  /** Applies `batch` to `user`'s records: all of it or none. */
  apply(user: string, batch: LocalStoreBatch): Promise<void>;
  /** Deletes every record of `user` (logout). */
  wipe(user: string): Promise<void>;
  /** Messages kept per conversation. Default: 200. */
  readonly messages?: number;
}

/** The host pieces the SDK runs on. */
export interface Platform {
  transport: SocketTransport;
  http: HttpTransport;
  /** Where the session, deviceSN and DNS result persist. Defaults to memory (nothing persists). */
  storage?: KeyValueStorage;
  /**
   * Where the conversation list, unread counts, recent messages and unsent messages persist
   * across reloads. Default: IndexedDB in browsers, wx storage in mini-programs, none in Node.
   */
  localStore?: LocalStore;
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
  /**
   * Whether the user's conversation list, unread counts, recent messages and unsent messages are
   * kept across reloads in the platform's local store (`platform.localStore`: IndexedDB in
   * browsers, wx storage in mini-programs). Default: true where a store is available. `false`
   * keeps them in memory only. Logout deletes the user's stored data.
   */
  storage?: boolean;
  /**
   * Resume the stored session of this app at start. Default: true. When that login cannot complete
   * (see `loginTimeout`), `loginFail` fires once and the SDK keeps retrying; `logout()` stops it.
   */
  autoLogin?: boolean;
  /** Full URL of a DNS endpoint, used alone when set. */
  dnsServer?: string;
  /** Default: `"warn"`. */
  logLevel?: LogLevel;
  /** A resolver of "Lanying links" (its full URL, or a host name), tried first by `sysManage.aysncParseLinkV2`. */
  linkServer?: string;

  /** WebSocket constructor for hosts without a global one (Node before 22: the `ws` package). */
  websocket?: WebSocketConstructor;
  /** Replaces pieces of the browser platform. */
  platform?: Partial<Platform>;
  /** Bound of every REST and DNS request. Default 20 s. */
  requestTimeout?: number;
  /** Bound of a connection attempt. Default 10 s (growing by 20 s per failed attempt). */
  connectTimeout?: number;
  /**
   * Bound of a first login, from the call (or the start of an auto-login) to the server's
   * acceptance. Default 30 s. Past it `login()` rejects with `SignInTimeout` and `loginFail`
   * fires; three immediate failures in a row end it sooner (`ServerDNSFailed`,
   * `ServerConnectFailed`). Reconnects after a successful login are not bounded.
   */
  loginTimeout?: number;
  /** Heartbeat period. Default 50 s. */
  heartbeatInterval?: number;
  /**
   * Deadline of a send that was never written to a connection (queued while disconnected): it
   * then fails with `ServerTimeOut`. A send once written never fails by time; it is re-sent on
   * every reconnect until acknowledged (PROTOCOL.md §7.5). Default: no deadline.
   */
  sendTimeout?: number;
  /** `Provision.device_info`. Default `"Web"`. */
  deviceInfo?: string;
  /** `Provision.sdk_vsn`. Default `"2.0.0"`. */
  sdkVersion?: string;
  /**
   * How clients of this app in several tabs of one browser profile behave. `"shared"` (the
   * default): the tabs share one engine and connection, run by one of them; the others call
   * through it and receive every event (docs/tabs.md). `"independent"`: each tab runs its own
   * engine and connection, and as they share the device identity the last one to log in ends the
   * others' sessions (`KICK_BY_SAME_DEVICE`), as with the official client. Where Web Locks (a
   * secure context: HTTPS or localhost) or BroadcastChannel are missing, in Node and in
   * mini-programs, and for a second client of the app in the same page, `"shared"` runs
   * independently. Any other value: `InvalidParam`.
   */
  tabs?: "independent" | "shared";
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

/** What `logout()` resolves to. */
export interface LogoutResult {
  /**
   * client_mids of sends written to the server but not acknowledged when the session ended: they
   * may have been stored, so they are neither `sent` nor `failed`. Sends never written fail with
   * `UserNotLogin` (an `onSendingMessageStatusChanged` "failed").
   */
  unknown: string[];
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
  /**
   * `"socket_failure"` or `"token failure:" + message`. Fired once when a login fails for good,
   * and once when an automatic login cannot complete within `loginTimeout` (it keeps retrying).
   */
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
  /**
   * Extension: a send (`mid`, the client_mid; `uid`, the conversation) got no acknowledgement
   * within 10 s of being written. Not final: its status stays "sending", it is re-sent on every
   * reconnect until acknowledged, and the SDK checks the connection meanwhile.
   */
  sendingStalled: UidMid;
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

// ---------------------------------------------------------------------------------------------
// Results of the managers (JSAPI.md §4-§7, REST.md §12). REST entities are the server's objects as
// sent, so every field is optional in principle and unknown fields pass through; ids are numbers
// (the service keeps them below 2^53), and any integer beyond 2^53 arrives as a decimal string.

/** Fields a newer server may add to an entity. */
interface Extensible {
  [field: string]: unknown;
}

/** The logged-in user's profile (`GET /user/profile`). */
export interface Profile extends Extensible {
  user_id: number;
  username?: string;
  nick_name?: string;
  /** An object name or a URL; see `sysManage.getImage`. */
  avatar?: string;
  description?: string;
  email?: string;
  mobile?: string;
  public_info?: string;
  private_info?: string;
}

/** The user's settings (`GET /user/settings`, and the reply of the registration calls). */
export interface UserSettings extends Extensible {
  id?: number;
  user_id: number;
  /** 0 anyone may add, 1 approval needed, 2 question, 3 reject all. */
  auth_mode?: number;
  auth_question?: string;
  auth_answer?: string;
  auto_download?: boolean;
  group_confirm?: boolean;
  no_push?: boolean;
  no_push_detail?: boolean;
  no_push_start_hour?: number;
  no_push_end_hour?: number;
  silence_start_time?: number;
  silence_end_time?: number;
  no_sounds?: boolean;
  vibratory?: boolean;
  push_nick_name?: string;
  push_token?: string;
}

/** One device of the user (`GET /user/device/list`). */
export interface Device extends Extensible {
  device_sn: number;
  /** 1 iOS, 2 Android, 3 Windows, 4 macOS, 5 Linux, 6 web. */
  platform: number;
  user_agent?: string;
  user_id?: number;
  /** Extension of the reference server: the device's last login or disconnect, in ms. */
  last_seen?: number;
  /** Extension of the reference server: the device has an open session now. */
  online?: boolean;
  /**
   * Extension of the reference server: the request's token was issued for this device. An app
   * that knows its own deviceSN (`userManage.getDeviceSN()`) should compare that instead.
   */
  current?: boolean;
}

/** The reply of the token calls (REST.md §5). */
export interface TokenData {
  token: string;
  user_id: Uid;
  /** Expiry, ms timestamp. */
  expire: number;
  public_key: string;
  encrypt_type: number;
  push_token: string;
  store_token: string;
  access_key_secret: string;
}

/** A user as seen by the logged-in user: public profile and the caller's settings for them. */
export interface RosterItem extends Extensible {
  user_id: number;
  username?: string;
  nick_name?: string;
  avatar?: string;
  description?: string;
  public_info?: string;
  /** The caller's name for this friend. */
  alias?: string;
  /** The caller's extension data for this friend. */
  ext?: string;
  mute_notification?: boolean;
  auth_mode?: number;
  auth_question?: string;
  /** 0 friend, 1 deleted friend, 2 stranger, 3 blocked. */
  relation?: number;
}

/** A friend request (`GET /roster/apply/list`). */
export interface RosterApplication extends Extensible {
  user_id: number;
  reason?: string;
  /** 0 pending, 1 accepted, 2 declined. */
  status?: number;
  expired_time?: number;
}

/** A group's information and settings (`GET /group/info`, `GET /group/settings`). */
export interface GroupInfo extends Extensible {
  group_id: number;
  name?: string;
  avatar?: string;
  description?: string;
  ext?: string;
  owner_id?: number;
  /** 0 private, 1 public, 2 chatroom, 3 temporary. */
  type?: number;
  /** 0 normal, 1 destroyed. */
  status?: number;
  created_at?: number;
  updated_at?: number;
  capacity?: number;
  count?: number;
  /** 0 accept all, 1 an admin approves, 2 reject all. */
  apply_approval?: number;
  member_invite?: boolean;
  member_modify?: boolean;
  history_visible?: boolean;
  hide_member_info?: boolean;
  read_ack?: boolean;
  msg_mute_mode?: number;
  msg_push_mode?: number;
  ban_expire_time?: number;
}

/**
 * The brief of `POST /group/info/batch`: a subset of {@link GroupInfo}, with `owner` for
 * `owner_id`. Cached groups hold whichever the SDK fetched last, merged.
 */
export interface GroupBrief extends Extensible {
  group_id: number;
  name?: string;
  avatar?: string;
  owner?: number;
  type?: number;
  status?: number;
  capacity?: number;
  count?: number;
  apply_approval?: number;
  msg_mute_mode?: number;
  msg_push_mode?: number;
}

/** A group member (member, admin and banned lists). */
export interface Member extends Extensible {
  user_id: number;
  /** The member's card name in the group. */
  display_name?: string;
  join_time?: number;
  /** The end of the member's ban, in banned lists. */
  expired_time?: number;
  avatar?: string;
}

/** An entry of a group's block list. */
export interface BlockedMember extends Extensible {
  user_id: number;
  group_id?: number;
  /** A date-time string. */
  created_at?: string;
}

/** The per-user outcome of a group membership call (the call succeeds even when some fail). */
export interface GroupResult extends Extensible {
  user_id: number;
  result: "success" | "fail" | (string & {});
  reason?: string;
}

/** A request to join a group. */
export interface GroupApplication extends Extensible {
  group_id: number;
  applicant_id: number;
  reason?: string;
  status?: number;
  expired_time?: number;
}

/** An invitation to a group. */
export interface GroupInvitation extends Extensible {
  group_id: number;
  inviter_id: number;
  invitee_id: number;
  reason?: string;
  status?: number;
  expired_time?: number;
  updated_at?: string;
}

/** A group announcement. */
export interface Announcement extends Extensible {
  id: number;
  group_id: number;
  author?: number;
  title?: string;
  content?: string;
  created_at?: number;
}

/** A file shared in a group. */
export interface SharedFile extends Extensible {
  file_id: number;
  group_id?: number;
  name?: string;
  size?: number;
  type?: string;
  url?: string;
  uploader?: number;
  created_at?: number;
  updated_at?: number;
}

/** The per-file outcome of deleting shared files. */
export interface SharedFileResult extends Extensible {
  file_id: number;
  result: "success" | "fail" | (string & {});
  reason?: string;
}

/** Where and how to upload a file (REST.md §9.1). */
export interface UploadSlot extends Extensible {
  upload_url: string;
  /** The permanent URL the file will have. */
  download_url: string;
  upload_method?: "POST" | "PUT" | (string & {});
  oss_body_param?: Record<string, string>;
}

/** An item of `userManage.getConversationList()` (JSAPI.md §12), newest first. */
export interface ConversationEntry {
  type: "roster" | "group";
  /** The peer's uid or the gid. */
  id: Uid;
  /** The last message's text, or its type name for other messages. */
  content: string;
  ext: string;
  /** Last activity, ms; "" for entries created from UNREAD. */
  timestamp: string;
  /** A mention of the user arrived since the conversation was last opened. */
  hasAt: boolean;
  draft: string;
  draftTimestamp: number;
  /** Extension: the conversation's unread count, as `getUnreadCount(id)` gives it. */
  unread: number;
}

/** The result of `sysManage.makeSearch(keyword)`. */
export interface SearchResult {
  rosterArr: Array<{ user_id: Uid; username: string; avatar: string; content?: string }>;
  groupArr: Array<{ group_id: Uid; name: string; content?: string }>;
}

/**
 * `sysManage.getStaticVars()`: the enum tables of xsync.proto by their official names (JSAPI.md
 * §13.1), e.g. `STATIC_MESSAGE_STATUS.READ === 2`. Each table has its enum names as keys, typed
 * from the generated table (staticvars.ts), and still accepts any string key, so that a lookup by
 * a name known only at run time type-checks as before.
 */
export type StaticVars = { [T in keyof StaticVarsTables]: StaticVarsTables[T] & Record<string, number> };

/** A JSON document given as an object (serialized with JSON.stringify) or as text. */
export type JsonInput = Record<string, unknown> | unknown[] | string;

/** Content type names of messages. */
export type MessageType = "text" | "image" | "audio" | "video" | "file" | "location" | "command" | "forward" | "rtc";

/** `sysManage.sendRosterMessage(options)`. */
export interface RosterMessageOptions {
  uid: IdInput;
  /** The text; required, `""` for a message that only carries an attachment. */
  content: string;
  /** Default `"text"`. */
  type?: MessageType;
  /** The message's `ext`, a string (often JSON text) as in received messages. */
  ext?: string;
  config?: JsonInput;
  /** The attachment of non-text messages (PROTOCOL.md §12.1), e.g. `{url, dName, fLen}`. */
  attachment?: JsonInput;
}

/** `sysManage.sendGroupMessage(options)`. */
export interface GroupMessageOptions extends Omit<RosterMessageOptions, "uid"> {
  gid: IdInput;
  /** Fan-out priority (`MessageBody.priority`); 0, the default, always delivers. */
  priority?: number;
}

/** `sysManage.sendMentionMessage(options)`. */
export interface MentionMessageOptions {
  gid: IdInput;
  txt: string;
  mentionAll?: boolean;
  mentionList?: IdInput[];
  mentionedMessage?: string;
  pushMessage?: string;
  senderNickname?: string;
  ext?: string;
}

/** Upload targets of `sysManage.asyncFileUpload`. */
export type UploadFileType = "file" | "audio" | "image" | "video" | "audio-mp3" | "shareFile" | "shareAudio" | "shareImage" | "shareVideo";

/** `sysManage.asyncFileUpload(options)`. */
export interface FileUploadOptions {
  /** A File or Blob in browsers, bytes, or a temporary file path on WeChat. */
  file: Blob | Uint8Array | string;
  fileType?: UploadFileType;
  toType: "chat" | "rosterAvatar" | "groupAvatar";
  /** The user or group a chat file is for. */
  to_id?: IdInput;
  /** The group of a group avatar, or of a shared file. */
  group_id?: IdInput;
  /** The kind of `to_id`; default `group` for the share types, `roster` otherwise. */
  chatType?: "roster" | "group";
  processCallback?: (progress: { loaded: number; total: number }) => void;
}

/** Paging of the list calls; every field optional. */
export interface ListOptions {
  cursor?: string;
  limit?: number;
  version?: IdInput;
}

/** The parameter object of a group call. */
interface GroupParam {
  group_id: IdInput;
}

/** Parameters passed through unchanged to an endpoint whose shapes are not published (REST.md §11). */
export type PassThroughParams = Record<string, unknown>;

/** The result of an endpoint whose shapes are not published: its reply's data as sent. */
export type PassThroughResult = unknown;

/** `im.userManage` (JSAPI.md §4). Methods named async… return Promises; the others read local state. */
export interface UserManage {
  /** The stored access token, "" without a session. */
  getToken(): string;
  /** The logged-in user id, undefined without a session. */
  getUid(): Uid | undefined;
  getAppid(): string;
  /** The deviceSN of the session, 0 before the first login of this device. */
  getDeviceSN(): number;
  /** Forgets the stored token: the session goes on, but the next start does not log in by itself. */
  deleteToken(): void;
  getConversationList(): ConversationEntry[];
  asyncGetDeviceList(): Promise<Device[]>;
  asyncKickDevice(opt: { device_sn: IdInput }): Promise<true>;
  asyncBindDeviceToken(opt: { device_sn: IdInput; device_token: string; notifier_name?: string }): Promise<true>;
  asyncUnbindDeviceToken(opt: { deviceSn: IdInput }): Promise<true>;
  asyncDeleteUser(opt: { password: string }): Promise<true>;
  asyncTokenUser(opt: { name?: string; mobile?: string; password: string }): Promise<TokenData>;
  asyncTokenId(opt: { user_id: IdInput; password: string }): Promise<TokenData>;
  asyncRegister(opt: { username: string; password: string }): Promise<UserSettings>;
  asyncRegisterAnonymous(opt: { username: string; password: string }): Promise<UserSettings>;
  asyncGenerateSecretInfo(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncSendSecretInfo(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserBindMobile(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserUpdateMobile(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserSendSms(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncCaptchaSms(params?: PassThroughParams): Promise<PassThroughResult>;
  /** (sic) */
  aysncGenerateWXUrlLink(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserNameCheck(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserMobileBind(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserMobileBindSign(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUserMobileLogin(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncCaptchaImagePost(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncUpdateAuthmode(opt: { value: 0 | 1 | 2 | 3 }): Promise<true>;
  asyncUpdateAvatar(opt: { avatar: string }): Promise<true>;
  asyncUpdateMobile(opt: { mobile: string }): Promise<true>;
  asyncUpdateNickName(opt: { nick_name: string }): Promise<true>;
  asyncUserChangePassword(opt: { old_password: string; new_password: string }): Promise<true>;
  asyncGetProfile(): Promise<Profile>;
  /** Changes the fields given; the others stay. */
  asyncUpdateProfile(opt: { nick_name?: string; description?: string; public_info?: string; private_info?: string }): Promise<true>;
  asyncGetSettings(): Promise<UserSettings>;
  asyncUpdateSettings(settings: Partial<UserSettings>): Promise<true>;
  asyncGetUserVerification(params?: PassThroughParams): Promise<PassThroughResult>;
  userVerificationByMobile(params: PassThroughParams): Promise<PassThroughResult>;
  userChangeMobileCheckPassword(params: PassThroughParams): Promise<PassThroughResult>;
  userChangeMobileCheckMobile(params: PassThroughParams): Promise<PassThroughResult>;
  userChangeMobile(params: PassThroughParams): Promise<PassThroughResult>;
}

/**
 * The message methods rosterManage and groupManage share; `id` is the friend's uid or the gid and
 * `mid` a message id. Operations resolve when the server acknowledged them.
 */
export interface MessageOperations {
  /** The local unread count of the conversation. */
  getUnreadCount(id: IdInput): number;
  recallMessage(id: IdInput, mid: IdInput): Promise<void>;
  /** Deletes the message for this user, on all devices. */
  deleteMessage(id: IdInput, mid: IdInput): Promise<void>;
  /** Appends to the message's text (streaming); config and ext are deep-merged. */
  appendMessageContent(id: IdInput, mid: IdInput, content: string, config?: JsonInput, ext?: string): Promise<void>;
  /** Replaces the message's text and deep-merges config and ext; nothing is sent when all three are empty. */
  replaceMessage(id: IdInput, mid: IdInput, content: string, config?: JsonInput, ext?: string): Promise<void>;
}

/** `im.rosterManage` (JSAPI.md §5). */
export interface RosterManage extends MessageOperations {
  /** The friend ids: cached, or fetched with `force` (or when nothing is cached yet). */
  asyncGetRosterIdList(force?: boolean): Promise<Uid[]>;
  /** A cached RosterItem, or one fetched when missing or forced (fires onRosterInfoUpdate). */
  asyncGetRosterInfo(rid: IdInput, force?: boolean): Promise<RosterItem>;
  /** (sic) The RosterItems of `ids`, fetching the ones not cached; unknown users are left out. */
  asnycGetRosterListDetailByIds(ids: IdInput[]): Promise<RosterItem[]>;
  asyncGetUserProfile(force?: boolean): Promise<Profile>;
  /** (sic) Same as userManage.asyncRegister. */
  asyncRegester(opt: { username: string; password: string }): Promise<UserSettings>;
  asyncDeleteRoster(opt: { user_id: IdInput }): Promise<true>;
  /** The cached RosterItems by uid. */
  getAllRosterDetail(): Record<string, RosterItem>;
  getRosterInfo(rid: IdInput): RosterItem | undefined;
  /** The locally stored messages of the conversation, oldest first. */
  getRosterMessageByRid(uid: IdInput): Message[];
  /** Marks one message, or without `mid` the whole conversation, read. */
  readRosterMessage(rid: IdInput, mid?: IdInput): Promise<void>;
  /** Marks a message unread again on all devices (READ_CANCEL). */
  unreadMessage(uid: IdInput, mid: IdInput): Promise<void>;
  asyncGetApplyList(opt?: ListOptions): Promise<RosterApplication[]>;
  /** (sic) */
  asyncGetBlockedlist(): Promise<Uid[]>;
  /** (sic) */
  asyncBlockeAdd(opt: { user_id: IdInput }): Promise<true>;
  /** (sic) */
  asyncBlockeRemove(opt: { user_id: IdInput }): Promise<true>;
  asyncApply(opt: { user_id: IdInput; alias?: string; reason?: string; auth_answer?: string }): Promise<true>;
  asyncAccept(opt: { user_id: IdInput }): Promise<true>;
  asyncDecline(opt: { user_id: IdInput; reason?: string }): Promise<true>;
  asyncUpdateRosterExt(opt: { user_id: IdInput; ext: string }): Promise<true>;
  asyncUpdateRosterAlias(opt: { user_id: IdInput; alias: string }): Promise<true>;
  asyncSearchRosterByName(opt: { username: string }): Promise<RosterItem>;
  asyncSearchRosterById(opt: { user_id: IdInput }): Promise<RosterItem>;
}

/** A group id, or the `{group_id}` object the official methods also accept. */
export type GroupIdInput = IdInput | GroupParam;

/** `im.groupManage` (JSAPI.md §6). REST wrappers take the request's parameter object (REST.md §8). */
export interface GroupManage extends MessageOperations {
  asyncGetGroupInfo(gid: GroupIdInput, force?: boolean): Promise<GroupInfo>;
  /** The joined group ids: cached, or fetched with `force`. */
  asyncGetJoinedGroups(force?: boolean): Promise<Uid[]>;
  /** Fetches and caches the member list, then fires onGroupMemberChanged. */
  openGroup(gid: GroupIdInput): Promise<void>;
  /** The cached groups by gid (GroupInfo, or GroupBrief for groups only known from the login). */
  getAllGroupDetail(): Record<string, GroupInfo & GroupBrief>;
  /** Fetches and caches the member list; resolves with the member ids. */
  asyncGetGroupMembers(gid: GroupIdInput): Promise<Uid[]>;
  getGroupMembers(gid: GroupIdInput): Member[];
  asyncGetGroupListDetail(gids: IdInput[]): Promise<GroupBrief[]>;
  /** (sic) The locally stored messages of the group, oldest first. */
  getGruopMessage(gid: IdInput): Message[];
  readGroupMessage(gid: IdInput, mid?: IdInput): Promise<void>;
  /** Clears the conversation's "mentioned" flag (`hasAt`). */
  consumeGroupAtStatus(gid: IdInput): void;
  asyncGetInfo(gid: GroupIdInput): Promise<GroupInfo>;
  asyncGetMemberList(gid: GroupIdInput): Promise<Member[]>;
  asyncCreate(opt: { name: string; type?: 0 | 1 | 2 | 3; avatar?: string; description?: string; user_list?: IdInput[] }): Promise<GroupInfo>;
  asyncDestroy(opt: GroupParam): Promise<true>;
  asyncGetPublicList(): Promise<Uid[]>;
  asyncGetUserJoined(): Promise<Uid[]>;
  asyncUpdateName(opt: GroupParam & { value: string }): Promise<true>;
  asyncUpdateAvatar(opt: GroupParam & { value: string }): Promise<true>;
  asyncUpdateDescription(opt: GroupParam & { value: string }): Promise<true>;
  asyncUpdateExt(opt: GroupParam & { value: string }): Promise<true>;
  asyncGetSettings(opt: GroupParam): Promise<GroupInfo>;
  asyncUpdateAllowMemberInvitation(opt: GroupParam & { value: boolean }): Promise<true>;
  asyncUpdateAllowMemberModify(opt: GroupParam & { value: boolean }): Promise<true>;
  /** (sic) */
  asyncUpdateEnableReadack(opt: GroupParam & { value: boolean }): Promise<true>;
  asyncUpdateHistoryVisible(opt: GroupParam & { value: boolean }): Promise<true>;
  asyncHideMemberInfo(opt: GroupParam & { value: boolean }): Promise<true>;
  /** (sic) */
  asyncUpdateRequireadminapproval(opt: GroupParam & { apply_approval: 0 | 1 | 2 }): Promise<true>;
  /** Bans every ordinary member for `duration` minutes. */
  asyncBanAll(opt: GroupParam & { duration: number }): Promise<{ ban_expire_time: number }>;
  asyncUnBanAll(opt: GroupParam): Promise<true>;
  /** (sic) */
  asyncGroupMsgMutemode(opt: GroupParam & { msg_mute_mode: 0 | 1 | 2 }): Promise<null>;
  asyncUpdateMsgNotDisturb(opt: GroupParam & { value: boolean }): Promise<true>;
  asyncGetAdminList(opt: GroupParam): Promise<Member[]>;
  asyncAdminAdd(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  asyncAdminRemove(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  asyncOwnerTransfer(opt: GroupParam & { new_owner: IdInput }): Promise<GroupResult>;
  asyncApply(opt: GroupParam & { reason?: string }): Promise<GroupResult>;
  asyncApplyHandle(opt: GroupParam & { user_id: IdInput; approval: boolean }): Promise<GroupResult>;
  /** (sic) */
  asncGetApplicationList(opt: { group_list: IdInput[] } & ListOptions): Promise<GroupApplication[]>;
  asyncInvite(opt: GroupParam & { user_list: IdInput[]; reason?: string }): Promise<GroupResult[]>;
  asyncInviteHandle(opt: GroupParam & { user_id: IdInput; approval: boolean }): Promise<true>;
  asyncGetInvitationList(opt?: ListOptions): Promise<GroupInvitation[]>;
  asyncKick(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  asyncLeave(opt: GroupParam): Promise<true>;
  asyncGroupBlock(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  asyncGroupUnblock(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  /** (sic) */
  asyncGroupBockedlist(opt: GroupParam): Promise<BlockedMember[]>;
  /** (sic: "ban") Bans members from speaking for `duration` minutes. */
  asyncGroupBab(opt: GroupParam & { user_list: IdInput[]; duration: number }): Promise<GroupResult[]>;
  asyncGroupUnban(opt: GroupParam & { user_list: IdInput[] }): Promise<GroupResult[]>;
  asyncGroupBannedList(opt: GroupParam): Promise<Member[]>;
  asyncGetMemberDisplayName(opt: GroupParam & { user_list: IdInput[] }): Promise<Member[]>;
  asyncUpdateDisplayName(opt: GroupParam & { value: string }): Promise<true>;
  asyncGetAnnouncementList(opt: GroupParam): Promise<Announcement[]>;
  /** (sic) */
  asyncGetAnouncementById(opt: GroupParam & { announcement_id: IdInput }): Promise<Announcement>;
  asyncAnnouncementEdit(opt: GroupParam & { title: string; content: string }): Promise<Announcement>;
  /** (sic) */
  asyncAnouncementDelete(opt: GroupParam & { announcement_id: IdInput }): Promise<null>;
  asyncGetFileList(opt: GroupParam): Promise<SharedFile[]>;
  /** Registers a file already uploaded with sysManage.asyncFileUpload as shared in the group. */
  asyncFileUpload(opt: GroupParam & { name: string; size: number; type: string; url: string }): Promise<SharedFile>;
  asyncFileDelete(opt: GroupParam & { file_list: IdInput[] }): Promise<SharedFileResult[]>;
}

/** `im.sysManage` (JSAPI.md §7). */
export interface SysManage {
  getStaticVars(): StaticVars;
  /**
   * Sends a one-to-one message and returns its client_mid as a decimal string (the official
   * client returns a number, which is exact only below 2^53). Progress and failures arrive as
   * onSendingMessageStatusChanged with that mid.
   */
  sendRosterMessage(opt: RosterMessageOptions): string;
  /** Sends a group message; returns the client_mid (see sendRosterMessage). */
  sendGroupMessage(opt: GroupMessageOptions): string;
  /** Sends a group text that mentions users; returns the client_mid. */
  sendMentionMessage(opt: MentionMessageOptions): string;
  /** Sends a typing indicator. */
  sendInputStatusMessage(uid: IdInput, status: "typing" | "nothing"): void;
  /** Sends a message object again, to a user (`uid`) or a group (`gid`); returns the new client_mid. */
  forwardMessage(opt: { uid?: IdInput; gid?: IdInput; message: Message | Pick<Message, "type" | "content" | "ext" | "config" | "attach"> }): string;
  /** Not supported: it sends the official client's internal frames. Always rejects. */
  sendMessage(frame: unknown): Promise<never>;
  /**
   * Requests the history page of a conversation older than message `sid` ("0" or 0 for the
   * newest). The messages arrive as message events with isHistory set, then onReceiveHistoryMsg;
   * the Promise resolves with the id of the next older page ("0" when none).
   */
  requireHistoryMessage(uid: IdInput, sid?: IdInput, amount?: number): Promise<{ next: string }>;
  getNoticeMessage(): NoticeMeta[];
  /** undefined when the message is not stored. */
  getMessageStatus(cid: IdInput, mid: IdInput, isGroup?: boolean): "unread" | "delivered" | "read" | undefined;
  /** Marks a stored message unread locally only; null when it is not stored. */
  markMessageUnread(cid: IdInput, mid: IdInput, isGroup?: boolean): Message | null;
  getConversationDraft(id: IdInput, type?: "roster" | "group"): string;
  /** `timestamp` defaults to now. */
  saveConversationDraft(id: IdInput, type: "roster" | "group", draft: string, timestamp?: IdInput): void;
  touchConversation(id: IdInput, type: "roster" | "group", timestamp?: IdInput): void;
  /** Deletes a conversation here and, with `other_devices` (default), on the user's other devices. */
  deleteConversation(id: IdInput, other_devices?: boolean): Promise<void>;
  makeSearch(keyword: string): SearchResult;
  /** Uploads a file; resolves with its download URL. */
  asyncFileUpload(opt: FileUploadOptions): Promise<{ url: string }>;
  asyncGetUserAvatarUploadUrl(): Promise<UploadSlot>;
  asyncGetGroupAvatarUploadUrl(opt: GroupParam): Promise<UploadSlot>;
  asyncGetFileUploadChatFileUrl(opt: { file_type: number; to_type: 1 | 2; to_id: IdInput }): Promise<UploadSlot>;
  /** A displayable URL for an avatar; `sdefault` (default "") when it is empty. */
  getImage(opt: { avatar?: string; type?: "roster" | "group"; thumbnail?: boolean; sdefault?: string }): string;
  getAudio(opt: { url: string }): string;
  getChatFile(opt: { url: string; params?: Record<string, string | number> }): string;
  /** Downloads an audio file as MP3. */
  downloadAudio(opt: { url: string; processCallback?: (progress: { loaded: number; total: number }) => void }): Promise<Uint8Array>;
  /** The URLs in use, empty before DNS is resolved. The app id is ignored: a client serves one app. */
  getServers(appid?: string): Servers;
  getLinkServer(): string[];
  getAppConfig(appid?: string): Record<string, unknown> | undefined;
  getAppStatus(appid?: string): string;
  getAccountVerification(appid?: string): Record<string, unknown> | undefined;
  /** The cluster in use from the DNS reply: `{ratel, webim, rtc}` host lists with their `ip_list`. */
  getServerIp(appid?: string): Record<string, unknown> | undefined;
  /** (sic) Resolves a Lanying link through the resolver at `url`. */
  aysncParseLink(url: string, opt: { link: string }): Promise<PassThroughResult>;
  /** (sic) Resolves a Lanying link through config.linkServer, then the DNS reply's link servers. */
  aysncParseLinkV2(link: string): Promise<PassThroughResult>;
  asyncQrcode(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncQrlogin(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncQrcodeGroupsign(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncQrcodeGroupinvite(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWoaQrcode(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWoaQrcodeStatus(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWoaQrlogin(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWoaIsBind(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWxlogin(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWxbind(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncGetStaticContact(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWechatUnbind(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWechatIsbind(params?: PassThroughParams): Promise<PassThroughResult>;
  asyncWechatBind(params?: PassThroughParams): Promise<PassThroughResult>;
}

/** `im.rtcManage`: not available in this version; every method rejects with ServerRtcNotOpen (JSAPI.md §14). */
export interface RtcManage {
  initRTCEngine(params: Record<string, unknown>): Promise<never>;
  destroy(): Promise<never>;
  sendRTCMessage(opt: { uid: IdInput; content: string; config?: JsonInput; ext?: JsonInput }): Promise<never>;
  joinRoom(...args: unknown[]): Promise<never>;
  leaveRoom(...args: unknown[]): Promise<never>;
  publish(...args: unknown[]): Promise<never>;
  unPublish(...args: unknown[]): Promise<never>;
  subscribe(...args: unknown[]): Promise<never>;
  unSubscribe(...args: unknown[]): Promise<never>;
  muteLocalAudio(...args: unknown[]): Promise<never>;
  muteLocalVideo(...args: unknown[]): Promise<never>;
  muteRemoteAudio(...args: unknown[]): Promise<never>;
  muteRemoteVideo(...args: unknown[]): Promise<never>;
  getJanusObject(): Promise<never>;
  getPublishHandler(): Promise<never>;
  getSubscribeHandler(): Promise<never>;
  getInCallStatus(): Promise<never>;
}
