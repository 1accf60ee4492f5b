// The app state and every action of the UI, on top of the Floo client. Components read `chat.state`
// and call methods here; they never talk to the SDK themselves. The SDK keeps the session, the
// conversation list and a bounded message cache; this store keeps what the screen needs on top:
// the messages shown per conversation (including history pages beyond the SDK cache), sends in
// flight, typing indicators and the contact and group lists.

import {
  call,
  errorText,
  read,
  type Attachment,
  type ConversationEntry,
  type Device,
  type GroupInfo,
  type GroupInvitation,
  type Member,
  type Message,
  type RosterApplication,
  type RosterItem,
  type Sdk,
  type SendingStatusPayload,
  type Uid,
} from "./sdk";

export type ConvType = "roster" | "group";

/** A conversation key, "roster:<uid>" or "group:<gid>". */
export type ConvKey = string;

export function convKey(type: ConvType, id: Uid): ConvKey {
  return `${type}:${id}`;
}

export function parseKey(key: ConvKey): { type: ConvType; id: string } {
  const i = key.indexOf(":");
  return { type: key.slice(0, i) as ConvType, id: key.slice(i + 1) };
}

/** Where a message of ours is on its way out; absent for stored messages. */
export type SendState = "uploading" | "sending" | "failed";

/** A message as the UI draws it: a stored message, a send in flight, or a recalled one. */
export interface UiMessage {
  /** Render key: the server id, or "local:<n>" for sends in flight. */
  key: string;
  /** Server id ("" while sending). */
  id: string;
  /** client_mid of a send in flight, once known. */
  cmid?: string;
  from: string;
  type: string;
  content: string;
  attach?: Attachment;
  config?: Record<string, unknown>;
  timestamp: number;
  /** 0 unread, 1 delivered, 2 read (PROTOCOL.md §9.5). */
  status: number;
  edited: boolean;
  recalled?: boolean;
  send?: SendState;
  /** Upload progress, 0 to 1. */
  progress?: number;
  error?: string;
  /** A local object URL showing an image while it uploads. */
  previewUrl?: string;
  /** Sends again after a failure. */
  retry?: () => void;
}

interface ConvData {
  byId: Map<string, UiMessage>;
  outbox: UiMessage[];
  /** History cursor: undefined before the first page, "0" once everything is loaded. */
  next?: string;
  loading: boolean;
  sorted?: UiMessage[];
}

/** One row of the chat list. */
export interface ConvItem {
  key: ConvKey;
  type: ConvType;
  id: string;
  preview: string;
  /** Sender of the last message, when known. */
  lastFrom?: string;
  /** Content type of the last message, when known ("text", "image", ...). */
  lastType?: string;
  time: number;
  unread: number;
  hasAt: boolean;
  draft: string;
}

export interface GroupMembers {
  members: Member[];
  admins: Set<string>;
}

export interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
}

export type Phase = "loading" | "signedOut" | "signedIn";
export type Tab = "chats" | "contacts" | "groups";

export interface ConnInfo {
  state: string;
  error?: string;
  /** When the next connection attempt is due (ms since epoch), if the SDK says. */
  retryAt?: number;
  online: boolean;
}

/** One device of the signed-in user, as the settings panel lists it. */
export interface DeviceRow {
  sn: number;
  /** 1 iOS, 2 Android, 3 Windows, 4 macOS, 5 Linux, 6 web. */
  platform: number;
  userAgent: string;
  /** Last login or disconnect (ms), 0 when the server does not say. */
  lastSeen: number;
  online: boolean;
  /** The device this page runs as. */
  mine: boolean;
}

export interface AppState {
  phase: Phase;
  authBusy: boolean;
  authError: string;
  me?: { uid: string; username: string; nick: string };
  conn: ConnInfo;
  tab: Tab;
  active?: ConvKey;
  /** The info panel of the open conversation is shown. */
  panel: boolean;
  conversations: ConvItem[];
  friends: string[];
  blocked: string[];
  requests: RosterApplication[];
  /** Users we sent a friend request to in this session. */
  requested: Set<string>;
  groups: string[];
  invitations: GroupInvitation[];
  toasts: Toast[];
  /** Image URL shown full size. */
  lightbox?: string;
  /** The settings panel is open. */
  settings: boolean;
  /** The user's devices, once the settings panel loaded them. */
  devices?: DeviceRow[];
  devicesError?: string;
}

const TYPING_TTL = 6000;
const TYPING_RESEND = 3000;
const HISTORY_PAGE = 20;
/** Message types a chat shows; commands, call signalling and the like are not drawn. */
const SHOWN = new Set(["text", "image", "file", "audio", "video", "location"]);

function initialState(phase: Phase): AppState {
  return {
    phase,
    authBusy: false,
    authError: "",
    conn: { state: "idle", online: navigator.onLine },
    tab: "chats",
    panel: false,
    conversations: [],
    friends: [],
    blocked: [],
    requests: [],
    requested: new Set(),
    groups: [],
    invitations: [],
    toasts: [],
    settings: false,
  };
}

/** Orders decimal id strings numerically without losing 64-bit precision. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The text a message shows in the chat list (the list adds an icon for the type). */
export function summary(m: Pick<UiMessage, "type" | "content" | "attach" | "recalled">): string {
  if (m.recalled) return "Message recalled";
  switch (m.type) {
    case "text":
      return m.content;
    case "image":
      return "Photo";
    case "file":
      return m.attach?.dName || "File";
    case "audio":
      return "Voice message";
    case "video":
      return "Video";
    case "location":
      return "Location";
    default:
      return m.content || m.type;
  }
}

export class Chat {
  readonly sdk: Sdk;
  state: AppState = initialState("loading");
  /** Bumped on every change; components key memoised data on it. */
  version = 0;

  #convs = new Map<ConvKey, ConvData>();
  #users = new Map<string, RosterItem>();
  #fetchingUsers = new Set<string>();
  #groupInfo = new Map<string, GroupInfo>();
  #members = new Map<string, GroupMembers>();
  #typing = new Map<string, number>();
  #typingSent = new Map<string, number>();
  #listeners = new Set<() => void>();
  #scheduled = false;
  #seq = 0;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  #loadingAll = false;

  constructor(sdk: Sdk) {
    this.sdk = sdk;
    this.#subscribe();
    addEventListener("online", () => this.#setOnline(true));
    addEventListener("offline", () => this.#setOnline(false));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state.active) this.#scheduleRead(this.state.active);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Change notification: components re-render once per microtask however many events arrived.

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.version++;
      for (const fn of this.#listeners) fn();
    });
  }

  // ------------------------------------------------------------------------------------------
  // Start, login, logout.

  /** Waits for the SDK, then shows either the app (a stored session is resuming) or the login. */
  async start(): Promise<void> {
    const { im } = this.sdk;
    try {
      await im.ready();
    } catch (err) {
      this.state = { ...initialState("signedOut"), authError: "The chat engine failed to load: " + errorText(err) };
      this.changed();
      return;
    }
    this.state.conn.state = read("im.state", () => im.state(), "idle");
    // autoLogin (on by default) resumes the session stored by the last login in this browser.
    if (this.state.phase === "loading") {
      if (read("im.isLogin", () => im.isLogin(), false)) {
        this.state.phase = "signedIn";
        this.state.me = { uid: String(read("getUid", () => this.sdk.user.getUid(), "")), username: "", nick: "" };
        void this.#loadAll();
      } else {
        this.state.phase = "signedOut";
      }
    }
    this.changed();
  }

  async login(name: string, password: string): Promise<void> {
    this.state.authBusy = true;
    this.state.authError = "";
    this.changed();
    try {
      await this.sdk.im.login({ name, password });
      this.#signedIn();
    } catch (err) {
      this.state.authError = errorText(err);
    } finally {
      this.state.authBusy = false;
      this.changed();
    }
  }

  async register(name: string, password: string): Promise<void> {
    this.state.authBusy = true;
    this.state.authError = "";
    this.changed();
    try {
      await call(() => this.sdk.user.asyncRegister({ username: name, password }));
    } catch (err) {
      this.state.authBusy = false;
      this.state.authError = errorText(err);
      this.changed();
      return;
    }
    await this.login(name, password);
  }

  async logout(): Promise<void> {
    for (const key of this.#typingSent.keys()) this.stopTyping(key);
    try {
      await this.sdk.im.logout();
    } catch (err) {
      console.warn("logout:", err);
    }
    this.#reset();
  }

  #reset(): void {
    this.#convs.clear();
    this.#users.clear();
    this.#groupInfo.clear();
    this.#members.clear();
    this.#typing.clear();
    this.#typingSent.clear();
    const conn = this.state.conn;
    this.state = initialState("signedOut");
    this.state.conn = { ...conn, retryAt: undefined };
    this.changed();
  }

  #signedIn(): void {
    const uid = String(read("getUid", () => this.sdk.user.getUid(), ""));
    if (this.state.me && this.state.me.uid !== uid) this.#reset();
    this.state.phase = "signedIn";
    this.state.authError = "";
    if (!this.state.me || this.state.me.uid !== uid) this.state.me = { uid, username: "", nick: "" };
    this.changed();
  }

  /** Loads everything the sidebar shows. It runs after every login, reconnects included. */
  async #loadAll(): Promise<void> {
    if (this.#loadingAll) return;
    this.#loadingAll = true;
    try {
      await Promise.allSettled([
        this.#loadProfile(),
        this.loadFriends(),
        this.loadRequests(),
        this.loadBlocked(),
        this.loadGroups(),
        this.loadInvitations(),
      ]);
      this.refreshConversations();
    } finally {
      this.#loadingAll = false;
    }
  }

  async #loadProfile(): Promise<void> {
    const p = await call(() => this.sdk.roster.asyncGetUserProfile(true));
    if (!this.state.me) return;
    this.state.me = { uid: String(p.user_id ?? this.state.me.uid), username: p.username ?? "", nick: p.nick_name ?? "" };
    this.changed();
  }

  // ------------------------------------------------------------------------------------------
  // Devices (the settings panel).

  openSettings(open: boolean): void {
    this.state.settings = open;
    this.changed();
    if (open) void this.loadDevices();
  }

  /** Lists the user's devices, this one first, then the most recently seen. */
  async loadDevices(): Promise<void> {
    try {
      const list: Device[] = await call(() => this.sdk.user.asyncGetDeviceList());
      const self = read("getDeviceSN", () => this.sdk.user.getDeviceSN(), 0);
      const rows = list.map(
        (d): DeviceRow => ({
          sn: Number(d.device_sn),
          platform: Number(d.platform) || 0,
          userAgent: d.user_agent ?? "",
          lastSeen: Number(d.last_seen) || 0,
          online: d.online === true,
          // The deviceSN this page logged in with; the server's own mark when it has none yet.
          mine: self ? Number(d.device_sn) === self : d.current === true,
        }),
      );
      rows.sort((a, b) => Number(b.mine) - Number(a.mine) || Number(b.online) - Number(a.online) || b.lastSeen - a.lastSeen);
      this.state.devices = rows;
      this.state.devicesError = undefined;
    } catch (err) {
      this.state.devicesError = "Could not load your devices: " + errorText(err);
    }
    this.changed();
  }

  /** Signs another device out for good: its session ends, its token is revoked, its slot is free. */
  async removeDevice(sn: number): Promise<void> {
    try {
      await call(() => this.sdk.user.asyncKickDevice({ device_sn: sn }));
      this.toast("The device was signed out");
    } catch (err) {
      this.toast("Could not remove the device: " + errorText(err), "error");
    }
    await this.loadDevices();
  }

  // ------------------------------------------------------------------------------------------
  // SDK events (JSAPI.md §8).

  #subscribe(): void {
    const { im } = this.sdk;
    im.on("loginSuccess", () => {
      this.#signedIn();
      void this.#loadAll();
    });
    im.on("loginFail", (reason: string) => {
      // A failed resume of a stored session sends the user back to the login form.
      if (this.state.phase === "signedIn" && !read("im.isLogin", () => im.isLogin(), false)) {
        this.#reset();
        this.state.authError = "Please sign in again (" + reason + ")";
      } else if (!this.state.authBusy && this.state.phase !== "signedIn") {
        this.state.authError = reason;
      }
      this.changed();
    });
    im.on("logout", () => {
      if (this.state.phase === "signedIn") this.#reset();
    });
    im.on("flooNotice", (n: { category: string; desc: unknown }) => {
      if (n.category === "action" && n.desc === "relogin_manually") {
        // After a notice that already said why (below), that reason stays on the sign-in form.
        const why = this.state.phase === "signedOut" && this.state.authError;
        this.#reset();
        this.state.authError = why || "Your session ended; please sign in again.";
      } else if (n.category === "userNotice" && (n.desc === "KICKED_BY_OTHER_DEVICE" || n.desc === "DEVICE_REMOVED")) {
        // Another device of the account signed this one out (the settings panel there): the SDK
        // ends the session and forgets its token.
        this.#reset();
        this.state.authError = "This device was signed out from another of your devices.";
      } else if (n.category === "userNotice" && n.desc === "DEVICE_ADDED") {
        this.toast("Your account was just signed in on another device");
        if (this.state.settings) void this.loadDevices();
      } else if (n.category === "userNotice") {
        this.toast("Account notice: " + String(n.desc), "error");
      } else if (n.category === "conversation_deleted") {
        this.refreshConversations();
      }
    });
    im.on("flooError", (e: { category: unknown; desc: string }) => {
      if (this.state.phase === "signedIn") this.toast(e.desc || String(e.category), "error");
    });
    im.on("connectionStateChanged", (p: { state: string; error?: { message?: string }; retryIn?: number; retryAt?: number }) => {
      // retryIn / retryAt are read when the SDK reports its backoff; the banner counts down then.
      const retryAt = p.retryAt ?? (typeof p.retryIn === "number" ? Date.now() + p.retryIn : undefined);
      this.state.conn = { ...this.state.conn, state: p.state, error: p.error?.message, retryAt };
      this.changed();
    });

    const onMessage = (m: Message) => this.#onMessage(m);
    im.on("onRosterMessage", onMessage);
    im.on("onGroupMessage", onMessage);
    im.on("onMentionMessage", (m: Message) => {
      if (m.isHistory) return;
      const key = convKey("group", m.to);
      if (key !== this.state.active || document.visibilityState !== "visible") {
        void this.nameOf(m.from).then((name) => this.toast(`${name} mentioned you in ${this.groupName(m.to)}`));
      }
    });
    const onEdited = (m: Message) => {
      this.#upsert(m);
      this.changed();
    };
    im.on("onRosterMessageReplace", onEdited);
    im.on("onGroupMessageReplace", onEdited);
    im.on("onRosterMessageContentAppend", onEdited);
    im.on("onGroupMessageContentAppend", onEdited);
    im.on("onSendingMessageStatusChanged", (p) => this.#onSending(p));
    im.on("onMessageStatusChanged", ({ uid, mid }: { uid: Uid; mid: string }) => this.#refreshStored(String(uid), String(mid)));
    im.on("onMessageRecalled", ({ uid, mid }: { uid: Uid; mid: string }) => this.#onRecalled(String(uid), String(mid)));
    im.on("onMessageDeleted", ({ uid, mid }: { uid: Uid; mid: string }) => this.#onDeleted(String(uid), String(mid)));
    im.on("onInputStatusMessage", (p: { ext: string; from: Uid }) => this.#onTyping(p));
    im.on("onUnreadChange", () => this.refreshConversations());
    im.on("recentlistUpdate", () => this.refreshConversations());

    const rosterChanged = () => {
      void this.loadFriends();
      void this.loadRequests();
      void this.loadBlocked();
    };
    im.on("onRosterListUpdate", rosterChanged);
    im.on("onRosterInfoUpdate", (ids: Uid[]) => {
      for (const id of ids ?? []) this.#users.delete(String(id));
      this.changed();
    });
    im.on("onRosterApplied", (n) => {
      void this.loadRequests();
      void this.nameOf(n.from.uid).then((name) => this.toast(`${name} wants to be your friend`));
    });
    im.on("onRosterAccepted", (n) => {
      rosterChanged();
      const other = n.from.uid === this.state.me?.uid ? n.payload.to[0]?.uid : n.from.uid;
      if (other && other !== this.state.me?.uid) void this.nameOf(other).then((name) => this.toast(`You and ${name} are now friends`));
    });
    im.on("onRosterDeclined", rosterChanged);
    im.on("onRosterRemoved", rosterChanged);

    const groupsChanged = () => void this.loadGroups();
    for (const name of [
      "onGroupListUpdate",
      "onGroupCreated",
      "onGroupDestoryed",
      "onGroupJoined",
      "onGroupLeaved",
      "onGroupKicked",
      "onGroupInvitedAccepted",
      "onGroupApplyAccepted",
      "onGroupOwnerAssigned",
      "onGroupAdminGranted",
      "onGroupAdminRevoked",
    ] as const) {
      im.on(name, (n?: { payload?: { gid?: { uid: string } } }) => {
        groupsChanged();
        const gid = n?.payload?.gid?.uid;
        if (gid) void this.loadMembers(gid);
      });
    }
    im.on("onGroupMemberChanged", (gid: Uid) => void this.loadMembers(String(gid)));
    im.on("onGroupNotice", () => void this.loadInvitations());
  }

  #setOnline(online: boolean): void {
    this.state.conn = { ...this.state.conn, online };
    this.changed();
  }

  // ------------------------------------------------------------------------------------------
  // Messages.

  #conv(key: ConvKey): ConvData {
    let c = this.#convs.get(key);
    if (!c) {
      c = { byId: new Map(), outbox: [], loading: false };
      this.#convs.set(key, c);
    }
    return c;
  }

  /** The conversation of a message as this user sees it (PROTOCOL.md §6.1). */
  #keyOf(m: Pick<Message, "from" | "to" | "toType">): ConvKey {
    if (m.toType === "group") return convKey("group", m.to);
    return convKey("roster", String(m.from) === this.state.me?.uid ? m.to : m.from);
  }

  #toUi(m: Message): UiMessage {
    const id = String(m.id);
    return {
      key: id,
      id,
      from: String(m.from),
      type: m.type,
      content: m.content ?? "",
      attach: m.attach as Attachment | undefined,
      config: m.config,
      timestamp: Number(m.timestamp) || Date.now(),
      status: m.status ?? 0,
      edited: !!m.editTimestamp && m.editTimestamp !== "0",
    };
  }

  #upsert(m: Message): ConvKey | undefined {
    if (!SHOWN.has(m.type)) return undefined;
    const key = this.#keyOf(m);
    const c = this.#conv(key);
    const old = c.byId.get(String(m.id));
    if (old?.recalled) return key;
    c.byId.set(String(m.id), this.#toUi(m));
    c.sorted = undefined;
    return key;
  }

  #onMessage(m: Message): void {
    const key = this.#upsert(m);
    if (!key) return;
    const from = String(m.from);
    if (this.#typing.delete(from)) this.changed();
    if (!m.isHistory && from !== this.state.me?.uid && key === this.state.active) this.#scheduleRead(key);
    this.refreshConversations();
  }

  /** Re-reads a stored message after an operation changed it (a read receipt, mostly). */
  #refreshStored(conv: string, mid: string): void {
    for (const type of ["roster", "group"] as const) {
      const key = convKey(type, conv);
      const c = this.#convs.get(key);
      if (!c?.byId.has(mid)) continue;
      const list =
        type === "roster"
          ? read("getRosterMessageByRid", () => this.sdk.roster.getRosterMessageByRid(conv), [] as Message[])
          : read("getGruopMessage", () => this.sdk.group.getGruopMessage(conv), [] as Message[]);
      const m = list.find((x) => String(x.id) === mid);
      if (m) this.#upsert(m);
    }
    this.refreshConversations();
  }

  #onRecalled(conv: string, mid: string): void {
    for (const type of ["roster", "group"] as const) {
      const c = this.#convs.get(convKey(type, conv));
      const m = c?.byId.get(mid);
      if (!c || !m) continue;
      c.byId.set(mid, { ...m, recalled: true, content: "", attach: undefined });
      c.sorted = undefined;
    }
    this.refreshConversations();
  }

  #onDeleted(conv: string, mid: string): void {
    for (const type of ["roster", "group"] as const) {
      const c = this.#convs.get(convKey(type, conv));
      if (c?.byId.delete(mid)) c.sorted = undefined;
    }
    this.refreshConversations();
  }

  /** The messages of a conversation, oldest first, then the sends in flight. */
  messages(key: ConvKey): UiMessage[] {
    const c = this.#conv(key);
    if (!c.sorted) {
      const stored = [...c.byId.values()].sort((a, b) => compareIds(a.id, b.id));
      c.sorted = [...stored, ...c.outbox];
    }
    return c.sorted;
  }

  historyState(key: ConvKey): { loading: boolean; done: boolean } {
    const c = this.#conv(key);
    return { loading: c.loading, done: c.next === "0" };
  }

  /**
   * Asks for the next older page (JSAPI.md §7 requireHistoryMessage). Its messages arrive as
   * message events marked isHistory; the Promise gives the cursor of the page after it.
   */
  loadHistory(key: ConvKey): void {
    const c = this.#conv(key);
    if (c.loading || c.next === "0") return;
    const { id } = parseKey(key);
    c.loading = true;
    this.changed();
    call(() => this.sdk.sys.requireHistoryMessage(id, c.next ?? "0", HISTORY_PAGE))
      .then(
        (page) => {
          c.next = String(page?.next ?? "0");
        },
        (err) => this.toast("Could not load history: " + errorText(err), "error"),
      )
      .finally(() => {
        c.loading = false;
        this.refreshConversations();
      });
  }

  /**
   * The conversation list rebuilt after a reload has no message texts; fetch the newest page of
   * the top conversations that lack one, once each.
   */
  #prefetchPreviews(): void {
    for (const item of this.state.conversations.slice(0, 12)) {
      const c = this.#conv(item.key);
      if (!item.preview && c.next === undefined && !c.loading) this.loadHistory(item.key);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Sending.

  #newOutgoing(key: ConvKey, fields: Pick<UiMessage, "type" | "content"> & Partial<UiMessage>): UiMessage {
    const item: UiMessage = {
      key: "local:" + ++this.#seq,
      id: "",
      from: this.state.me?.uid ?? "",
      timestamp: Date.now(),
      status: 0,
      edited: false,
      send: "sending",
      ...fields,
    };
    const c = this.#conv(key);
    c.outbox.push(item);
    c.sorted = undefined;
    this.changed();
    return item;
  }

  #touchOutbox(key: ConvKey): void {
    const c = this.#conv(key);
    c.sorted = undefined;
    this.changed();
  }

  /** Sends a text; in groups `mentions` turns it into a mention message (JSAPI.md §7). */
  sendText(key: ConvKey, text: string, mentions?: { all: boolean; uids: string[] }): void {
    const item = this.#newOutgoing(key, { type: "text", content: text });
    const send = () => {
      const { type, id } = parseKey(key);
      if (type === "roster") return this.sdk.sys.sendRosterMessage({ uid: id, content: text, type: "text" });
      if (mentions && (mentions.all || mentions.uids.length > 0)) {
        const me = this.myName();
        return this.sdk.sys.sendMentionMessage({
          gid: id,
          txt: text,
          mentionAll: mentions.all,
          mentionList: mentions.uids.map(Number),
          mentionedMessage: text,
          pushMessage: `${me} mentioned you`,
          senderNickname: me,
        });
      }
      return this.sdk.sys.sendGroupMessage({ gid: id, content: text, type: "text" });
    };
    this.#dispatch(key, item, send);
    this.stopTyping(key);
  }

  /** Uploads a file and sends it as an image (with preview) or a file message. */
  sendFile(key: ConvKey, file: File): void {
    const isImage = /^image\/(png|jpe?g|gif|webp|avif|bmp)$/.test(file.type);
    const item = this.#newOutgoing(key, {
      type: isImage ? "image" : "file",
      content: "",
      attach: { url: "", dName: file.name, fLen: file.size },
      send: "uploading",
      progress: 0,
      previewUrl: isImage ? URL.createObjectURL(file) : undefined,
    });
    const { type, id } = parseKey(key);
    const upload = async () => {
      item.send = "uploading";
      item.error = undefined;
      item.progress = 0;
      this.#touchOutbox(key);
      try {
        const size = isImage && item.previewUrl ? await imageSize(item.previewUrl) : undefined;
        const res = await call(() =>
          this.sdk.sys.asyncFileUpload({
            file,
            fileType: isImage ? "image" : "file",
            toType: "chat",
            to_id: id,
            ...(type === "group" ? { group_id: id } : {}),
            chatType: type,
            processCallback: ({ loaded, total }) => {
              item.progress = total > 0 ? loaded / total : 0;
              this.#touchOutbox(key);
            },
          }),
        );
        item.attach = { url: res.url, dName: file.name, fLen: file.size, ...(size ?? {}) };
      } catch (err) {
        this.#fail(key, item, "Upload failed: " + errorText(err), upload);
        return;
      }
      const attachment: Record<string, unknown> = { ...item.attach };
      const kind = isImage ? "image" : "file";
      this.#dispatch(key, item, () =>
        type === "roster"
          ? this.sdk.sys.sendRosterMessage({ uid: id, content: "", type: kind, attachment })
          : this.sdk.sys.sendGroupMessage({ gid: id, content: "", type: kind, attachment }),
      );
    };
    void upload();
  }

  /**
   * Hands a send to the SDK, which returns its client_mid at once; progress then arrives as
   * onSendingMessageStatusChanged events carrying that mid.
   */
  #dispatch(key: ConvKey, item: UiMessage, send: () => string): void {
    item.send = "sending";
    item.error = undefined;
    item.retry = () => {
      const c = this.#conv(key);
      c.outbox = c.outbox.filter((x) => x !== item);
      c.outbox.push(item);
      item.timestamp = Date.now();
      this.#dispatch(key, item, send);
    };
    try {
      item.cmid = String(send());
    } catch (err) {
      this.#fail(key, item, errorText(err), item.retry);
      return;
    }
    this.#touchOutbox(key);
  }

  #fail(key: ConvKey, item: UiMessage, error: string, retry?: () => void): void {
    item.send = "failed";
    item.error = error;
    if (retry) item.retry = retry;
    this.#touchOutbox(key);
  }

  #onSending(p: SendingStatusPayload): void {
    const mid = String(p.mid);
    let item: UiMessage | undefined;
    let owner: ConvData | undefined;
    for (const c of this.#convs.values()) {
      item = c.outbox.find((x) => x.cmid === mid);
      if (item) {
        owner = c;
        break;
      }
    }
    if (!item || !owner) {
      // Not a send of this page (there are none today): show the outcome only.
      if (p.status === "sent" && p.message) this.#upsert(p.message);
      this.refreshConversations();
      return;
    }
    if (p.status === "sent") {
      owner.outbox = owner.outbox.filter((x) => x !== item);
      owner.sorted = undefined;
      if (p.message) this.#upsert(p.message);
      if (item.previewUrl) {
        const url = item.previewUrl;
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      }
    } else if (p.status === "failed") {
      item.send = "failed";
      item.error = p.errorReason || p.error?.message || "not delivered";
      owner.sorted = undefined;
    } else {
      item.send = "sending";
      owner.sorted = undefined;
    }
    this.refreshConversations();
  }

  /** Drops a failed send. */
  discard(key: ConvKey, item: UiMessage): void {
    const c = this.#conv(key);
    c.outbox = c.outbox.filter((x) => x !== item);
    c.sorted = undefined;
    if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    this.changed();
  }

  recall(key: ConvKey, mid: string): void {
    const { type, id } = parseKey(key);
    call(() => (type === "roster" ? this.sdk.roster.recallMessage(id, mid) : this.sdk.group.recallMessage(id, mid))).catch(
      (err) => this.toast("Could not recall: " + errorText(err), "error"),
    );
  }

  edit(key: ConvKey, mid: string, text: string): void {
    const { type, id } = parseKey(key);
    call(() =>
      type === "roster" ? this.sdk.roster.replaceMessage(id, mid, text) : this.sdk.group.replaceMessage(id, mid, text),
    ).catch((err) => this.toast("Could not edit: " + errorText(err), "error"));
  }

  deleteForMe(key: ConvKey, mid: string): void {
    const { type, id } = parseKey(key);
    call(() => (type === "roster" ? this.sdk.roster.deleteMessage(id, mid) : this.sdk.group.deleteMessage(id, mid))).catch(
      (err) => this.toast("Could not delete: " + errorText(err), "error"),
    );
  }

  /** Displayable URL of an uploaded file: the SDK adds the credentials the download needs. */
  fileUrl(url: string): string {
    return url ? read("getChatFile", () => this.sdk.sys.getChatFile({ url }), url) : "";
  }

  // ------------------------------------------------------------------------------------------
  // Typing indicators (one-to-one only, PROTOCOL.md §11).

  typingInput(key: ConvKey, text: string): void {
    const { type, id } = parseKey(key);
    if (type !== "roster") return;
    const now = Date.now();
    const last = this.#typingSent.get(key) ?? 0;
    if (text.trim() && now - last > TYPING_RESEND) {
      this.#typingSent.set(key, now);
      call(() => this.sdk.sys.sendInputStatusMessage(id, "typing")).catch(() => {});
    } else if (!text.trim() && last) {
      this.stopTyping(key);
    }
  }

  stopTyping(key: ConvKey): void {
    const { type, id } = parseKey(key);
    if (type !== "roster" || !this.#typingSent.has(key)) return;
    this.#typingSent.delete(key);
    call(() => this.sdk.sys.sendInputStatusMessage(id, "nothing")).catch(() => {});
  }

  #onTyping(p: { ext: string; from: Uid }): void {
    let status = "";
    try {
      status = String((JSON.parse(p.ext) as { input_status?: string }).input_status ?? "");
    } catch {
      return;
    }
    const from = String(p.from);
    if (status === "typing") {
      const until = Date.now() + TYPING_TTL;
      this.#typing.set(from, until);
      setTimeout(() => {
        if (this.#typing.get(from) === until) {
          this.#typing.delete(from);
          this.changed();
        }
      }, TYPING_TTL);
    } else {
      this.#typing.delete(from);
    }
    this.changed();
  }

  isTyping(uid: string): boolean {
    return (this.#typing.get(uid) ?? 0) > Date.now();
  }

  // ------------------------------------------------------------------------------------------
  // Conversations.

  open(key: ConvKey | undefined): void {
    const prev = this.state.active;
    if (prev && prev !== key) this.stopTyping(prev);
    this.state.active = key;
    if (!key) {
      this.changed();
      return;
    }
    const { type, id } = parseKey(key);
    const c = this.#conv(key);
    if (c.next === undefined && !c.loading) this.loadHistory(key);
    if (type === "group") {
      read("consumeGroupAtStatus", () => this.sdk.group.consumeGroupAtStatus(id), undefined);
      void this.loadMembers(id);
      if (!this.#groupInfo.has(id)) void this.fetchGroup(id);
    } else {
      this.user(id);
    }
    this.#scheduleRead(key);
    this.changed();
  }

  /** Marks the open conversation read, which sends the read receipts (PROTOCOL.md §9.5). */
  #scheduleRead(key: ConvKey): void {
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => {
      if (this.state.active !== key || document.visibilityState !== "visible") return;
      const { type, id } = parseKey(key);
      if (this.unreadCount(key) === 0) return;
      call(() => (type === "roster" ? this.sdk.roster.readRosterMessage(id) : this.sdk.group.readGroupMessage(id)))
        .catch((err) => console.warn("read:", err))
        .finally(() => this.refreshConversations());
    }, 150);
  }

  unreadCount(key: ConvKey): number {
    const { type, id } = parseKey(key);
    const manager = type === "roster" ? this.sdk.roster : this.sdk.group;
    return read("getUnreadCount", () => manager.getUnreadCount(id), 0);
  }

  draft(key: ConvKey): string {
    const { type, id } = parseKey(key);
    return read("getConversationDraft", () => this.sdk.sys.getConversationDraft(id, type), "") ?? "";
  }

  saveDraft(key: ConvKey, text: string): void {
    const { type, id } = parseKey(key);
    if (text === this.draft(key)) return;
    call(() => this.sdk.sys.saveConversationDraft(id, type, text, Date.now())).catch(() => {});
  }

  /** Rebuilds the chat list from the SDK's conversation list (JSAPI.md §12), newest first. */
  refreshConversations(): void {
    const entries = read("getConversationList", () => this.sdk.user.getConversationList(), [] as ConversationEntry[]);
    this.state.conversations = entries
      .filter((e) => e.type === "roster" || e.type === "group")
      .map((e) => {
        const key = convKey(e.type, e.id);
        // Entries rebuilt after a reload carry no text yet; the first history page gives it.
        const last = this.#lastShown(key);
        return {
          key,
          type: e.type,
          id: String(e.id),
          preview: last ? summary(last) : e.content,
          lastFrom: last?.from,
          lastType: last?.recalled ? undefined : last?.type,
          time: Math.max(Number(e.timestamp) || 0, last?.timestamp ?? 0),
          unread: typeof e.unread === "number" ? e.unread : this.unreadCount(key),
          hasAt: !!e.hasAt,
          draft: e.draft ?? "",
        };
      });
    if (this.state.phase === "signedIn") this.#prefetchPreviews();
    this.changed();
  }

  #lastShown(key: ConvKey): UiMessage | undefined {
    const list = this.messages(key);
    return list[list.length - 1];
  }

  /** Shows a conversation at the top of the list before it has messages (a new group, say). */
  touch(key: ConvKey): void {
    const { type, id } = parseKey(key);
    call(() => this.sdk.sys.touchConversation(id, type, Date.now())).catch(() => {});
  }

  // ------------------------------------------------------------------------------------------
  // People.

  myName(): string {
    const me = this.state.me;
    return me?.nick || me?.username || "Me";
  }

  /** A cached user, fetched in the background when missing. */
  user(uid: string): RosterItem | undefined {
    let u = this.#users.get(uid);
    if (u) return u;
    u = read("getRosterInfo", () => this.sdk.roster.getRosterInfo(uid), undefined);
    if (u) {
      this.#users.set(uid, u);
      return u;
    }
    if (!this.#fetchingUsers.has(uid) && uid !== "0") {
      this.#fetchingUsers.add(uid);
      call(() => this.sdk.roster.asyncGetRosterInfo(uid))
        .then((item) => {
          if (item) this.#users.set(uid, item);
          this.changed();
        })
        .catch(() => {})
        .finally(() => setTimeout(() => this.#fetchingUsers.delete(uid), 10000));
    }
    return undefined;
  }

  /** The display name of uid, fetching the user first when unknown (for one-off texts). */
  async nameOf(uid: Uid): Promise<string> {
    const id = String(uid);
    if (!this.user(id)) {
      const item = await call(() => this.sdk.roster.asyncGetRosterInfo(id)).catch(() => undefined);
      if (item) this.#users.set(id, item);
    }
    return this.userName(id);
  }

  userName(uid: Uid): string {
    const id = String(uid);
    if (id === this.state.me?.uid) return this.myName();
    const u = this.user(id);
    return u?.alias || u?.nick_name || u?.username || `User ${id}`;
  }

  async loadFriends(): Promise<void> {
    const ids = (await call(() => this.sdk.roster.asyncGetRosterIdList(true))).map(String);
    this.state.friends = ids;
    const missing = ids.filter((id) => !this.#users.has(id));
    if (missing.length) {
      const items = await call(() => this.sdk.roster.asnycGetRosterListDetailByIds(missing)).catch(() => undefined);
      if (Array.isArray(items)) for (const it of items as RosterItem[]) this.#users.set(String(it.user_id), it);
    }
    for (const id of ids) {
      // The SDK's roster cache has the freshest details (aliases, profile updates).
      const u = read("getRosterInfo", () => this.sdk.roster.getRosterInfo(id), undefined);
      if (u) this.#users.set(id, u);
    }
    this.changed();
  }

  async loadRequests(): Promise<void> {
    const list = await call(() => this.sdk.roster.asyncGetApplyList({ cursor: "" }));
    const me = this.state.me?.uid;
    this.state.requests = (list ?? []).filter((a) => (a.status ?? 0) === 0 && String(a.user_id) !== me);
    this.changed();
  }

  async loadBlocked(): Promise<void> {
    this.state.blocked = (await call(() => this.sdk.roster.asyncGetBlockedlist())).map(String);
    this.changed();
  }

  /** Finds a user by name, or by id when the query is a number. */
  async search(query: string): Promise<RosterItem> {
    const q = query.trim();
    const item = /^\d+$/.test(q)
      ? await call(() => this.sdk.roster.asyncSearchRosterById({ user_id: q }))
      : await call(() => this.sdk.roster.asyncSearchRosterByName({ username: q }));
    if (!item || item.user_id === undefined) throw new Error("No user found");
    this.#users.set(String(item.user_id), { ...this.#users.get(String(item.user_id)), ...item });
    return item;
  }

  async addFriend(uid: string): Promise<void> {
    await call(() => this.sdk.roster.asyncApply({ user_id: uid, alias: "", reason: `Hi, I'm ${this.myName()}` }));
    this.state.requested.add(uid);
    this.toast(`Friend request sent to ${this.userName(uid)}`);
    void this.loadFriends();
  }

  async accept(uid: string): Promise<void> {
    await this.#act(() => this.sdk.roster.asyncAccept({ user_id: uid }), "accept the request");
    void this.loadRequests();
    void this.loadFriends();
  }

  async decline(uid: string): Promise<void> {
    await this.#act(() => this.sdk.roster.asyncDecline({ user_id: uid }), "decline the request");
    void this.loadRequests();
  }

  async block(uid: string): Promise<void> {
    await this.#act(() => this.sdk.roster.asyncBlockeAdd({ user_id: uid }), "block");
    this.toast(`${this.userName(uid)} is blocked`);
    void this.loadBlocked();
  }

  async unblock(uid: string): Promise<void> {
    await this.#act(() => this.sdk.roster.asyncBlockeRemove({ user_id: uid }), "unblock");
    void this.loadBlocked();
  }

  async removeFriend(uid: string): Promise<void> {
    await this.#act(() => this.sdk.roster.asyncDeleteRoster({ user_id: uid }), "remove the friend");
    void this.loadFriends();
    this.refreshConversations();
  }

  // ------------------------------------------------------------------------------------------
  // Groups.

  group(gid: string): GroupInfo | undefined {
    return this.#groupInfo.get(gid);
  }

  groupName(gid: Uid): string {
    return this.#groupInfo.get(String(gid))?.name || `Group ${gid}`;
  }

  async fetchGroup(gid: string, force = false): Promise<void> {
    try {
      const g = await call(() => this.sdk.group.asyncGetGroupInfo(gid, force));
      if (g) this.#groupInfo.set(gid, g);
      this.changed();
    } catch (err) {
      console.warn("group info:", err);
    }
  }

  async loadGroups(): Promise<void> {
    const ids = (await call(() => this.sdk.group.asyncGetJoinedGroups(true))).map(String);
    this.state.groups = ids;
    await Promise.allSettled(ids.map((id) => this.fetchGroup(id, true)));
    this.changed();
  }

  async loadInvitations(): Promise<void> {
    const list = await call(() => this.sdk.group.asyncGetInvitationList({})).catch(() => [] as GroupInvitation[]);
    const me = this.state.me?.uid;
    this.state.invitations = (list ?? []).filter((i) => (i.status ?? 0) === 0 && String(i.invitee_id) === me);
    for (const i of this.state.invitations) if (!this.#groupInfo.has(String(i.group_id))) void this.fetchGroup(String(i.group_id));
    this.changed();
  }

  members(gid: string): GroupMembers | undefined {
    return this.#members.get(gid);
  }

  async loadMembers(gid: string): Promise<void> {
    try {
      const [members, admins] = await Promise.all([
        call(() => this.sdk.group.asyncGetMemberList(gid)),
        call(() => this.sdk.group.asyncGetAdminList({ group_id: gid })).catch(() => [] as Member[]),
      ]);
      this.#members.set(gid, { members: members ?? [], admins: new Set((admins ?? []).map((a) => String(a.user_id))) });
      const missing = (members ?? []).map((m) => String(m.user_id)).filter((id) => !this.#users.has(id));
      if (missing.length) {
        const items = await call(() => this.sdk.roster.asnycGetRosterListDetailByIds(missing)).catch(() => undefined);
        if (Array.isArray(items)) for (const it of items as RosterItem[]) this.#users.set(String(it.user_id), it);
      }
      this.changed();
    } catch (err) {
      console.warn("members:", err);
    }
  }

  /** "owner", "admin" or "member" of user uid in group gid. */
  role(gid: string, uid: string): "owner" | "admin" | "member" {
    const g = this.#groupInfo.get(gid);
    if (String(g?.owner_id ?? g?.owner ?? "") === uid) return "owner";
    if (this.#members.get(gid)?.admins.has(uid)) return "admin";
    return "member";
  }

  async createGroup(name: string, uids: string[]): Promise<void> {
    const g = await call(() => this.sdk.group.asyncCreate({ name, type: 0, user_list: uids }));
    const gid = String(g.group_id);
    this.#groupInfo.set(gid, g);
    if (!this.state.groups.includes(gid)) this.state.groups = [...this.state.groups, gid];
    const key = convKey("group", gid);
    this.touch(key);
    this.state.tab = "chats";
    this.open(key);
    void this.loadGroups();
  }

  async invite(gid: string, uids: string[]): Promise<void> {
    const res = await call(() => this.sdk.group.asyncInvite({ group_id: gid, user_list: uids }));
    this.#reportResults(res, "invite");
    void this.loadMembers(gid);
  }

  async kick(gid: string, uid: string): Promise<void> {
    const res = await call(() => this.sdk.group.asyncKick({ group_id: gid, user_list: [uid] }));
    this.#reportResults(res, "remove");
    void this.loadMembers(gid);
  }

  async setAdmin(gid: string, uid: string, admin: boolean): Promise<void> {
    const res = await call(() =>
      admin
        ? this.sdk.group.asyncAdminAdd({ group_id: gid, user_list: [uid] })
        : this.sdk.group.asyncAdminRemove({ group_id: gid, user_list: [uid] }),
    );
    this.#reportResults(res, admin ? "make admin" : "remove admin");
    void this.loadMembers(gid);
  }

  async rename(gid: string, name: string): Promise<void> {
    await this.#act(() => this.sdk.group.asyncUpdateName({ group_id: gid, value: name }), "rename the group");
    await this.fetchGroup(gid, true);
  }

  async leave(gid: string): Promise<void> {
    await this.#act(() => this.sdk.group.asyncLeave({ group_id: gid }), "leave the group");
    this.#afterGroupGone(gid);
  }

  async destroy(gid: string): Promise<void> {
    await this.#act(() => this.sdk.group.asyncDestroy({ group_id: gid }), "delete the group");
    this.#afterGroupGone(gid);
  }

  async answerInvitation(inv: GroupInvitation, accept: boolean): Promise<void> {
    await this.#act(
      () => this.sdk.group.asyncInviteHandle({ group_id: inv.group_id, user_id: inv.inviter_id, approval: accept }),
      "answer the invitation",
    );
    void this.loadInvitations();
    void this.loadGroups();
  }

  #afterGroupGone(gid: string): void {
    this.state.groups = this.state.groups.filter((g) => g !== gid);
    if (this.state.active === convKey("group", gid)) {
      this.state.active = undefined;
      this.state.panel = false;
    }
    void this.loadGroups();
    this.refreshConversations();
  }

  #reportResults(res: unknown, what: string): void {
    if (!Array.isArray(res)) return;
    for (const r of res as Array<{ user_id: Uid; result: string; reason?: string }>) {
      if (r.result === "fail") this.toast(`Could not ${what} ${this.userName(r.user_id)}: ${r.reason ?? "failed"}`, "error");
    }
  }

  // ------------------------------------------------------------------------------------------
  // UI helpers.

  async #act(fn: () => unknown, what: string): Promise<void> {
    try {
      await call(fn);
    } catch (err) {
      this.toast(`Could not ${what}: ${errorText(err)}`, "error");
      throw err;
    }
  }

  toast(text: string, kind: Toast["kind"] = "info"): void {
    const t: Toast = { id: ++this.#seq, text, kind };
    this.state.toasts = [...this.state.toasts.slice(-3), t];
    this.changed();
    setTimeout(() => {
      this.state.toasts = this.state.toasts.filter((x) => x !== t);
      this.changed();
    }, kind === "error" ? 6000 : 4000);
  }

  dismiss(id: number): void {
    this.state.toasts = this.state.toasts.filter((x) => x.id !== id);
    this.changed();
  }

  set<K extends keyof AppState>(key: K, value: AppState[K]): void {
    this.state[key] = value;
    this.changed();
  }
}

/** The natural size of an image, for the attachment's width and height. */
function imageSize(url: string): Promise<{ width: number; height: number } | undefined> {
  return new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => resolve(undefined);
    img.src = url;
  });
}
