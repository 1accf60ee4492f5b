// The REST methods of groupManage (JSAPI.md §6, REST.md §8) and the group caches: the joined
// group ids, the group information and the member lists. The caches are seeded from the login
// prefetch, kept current by the manager's own calls and by the group notices the engine reports
// (applyGroupNotice), and start empty for a new session. The group message methods
// (getGruopMessage, readGroupMessage, recallMessage, ...) stay in the engine.

import type { GoClient } from "../types/bridge.js";
import { type Args, clientError, Id } from "./args.js";
import * as rest from "./rest.js";
import { key } from "./rest.js";
import type { Impl, Session, SessionCache } from "./session.js";

/** Groups per POST /group/info/batch (REST.md §8: the official clients send up to 20). */
const batchSize = 20;

/** The group caches of one session. */
export interface GroupCache {
  /** Joined group ids, undefined until known. */
  ids: Array<number | string> | undefined;
  /** GroupInfo (or GroupBrief) objects by decimal gid. */
  info: Map<string, Record<string, unknown>>;
  /** Groups whose cached info predates a change (a join, an announcement): fetched again on read. */
  stale: Set<string>;
  /** Member lists by decimal gid. */
  members: Map<string, Array<Record<string, unknown>>>;
  /** Notice ids already applied: one notice reaches JavaScript under more than one event. */
  seen: Set<string>;
}

/** The group caches of the current session, seeded from the login prefetch on first use. */
export function groupCache(s: Session, go: GoClient): GroupCache {
  const sess = s.current(go) as SessionCache & { group?: GroupCache };
  if (!sess.group) {
    const g: GroupCache = { ids: undefined, info: new Map(), stale: new Set(), members: new Map(), seen: new Set() };
    const p = go.prefetched?.();
    if (p && p.groupIds.length > 0) g.ids = [...p.groupIds];
    for (const v of p?.groups ?? []) {
      const gid = (v as Record<string, unknown> | null)?.group_id;
      if (gid !== undefined) merge(g, key(gid as number), v);
    }
    sess.group = g;
  }
  return sess.group;
}

/** An id as the engine reports ids: a number when exact, else the decimal string. */
export function idValue(id: Id | string): number | string {
  const d = String(id);
  return d.length < 16 ? Number(d) : d;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Merges a GroupInfo or GroupBrief into the cache: its fields win, fields only the cache has stay. */
function merge(g: GroupCache, gid: string, v: unknown): void {
  if (!isObject(v)) return;
  g.info.set(gid, { ...(g.info.get(gid) ?? {}), ...v });
  g.stale.delete(gid);
}

/** Merges fields into the cached info of gid, if cached. */
function patch(g: GroupCache, gid: string, fields: Record<string, unknown>): void {
  const old = g.info.get(gid);
  if (old) g.info.set(gid, { ...old, ...fields });
}

function addId(g: GroupCache, gid: string): void {
  if (!g.ids) g.ids = [];
  if (!g.ids.some((x) => key(x) === gid)) g.ids.push(idValue(gid));
}

/** Forgets everything cached about gid. */
function drop(g: GroupCache, gid: string): void {
  if (g.ids) g.ids = g.ids.filter((x) => key(x) !== gid);
  g.info.delete(gid);
  g.stale.delete(gid);
  g.members.delete(gid);
}

function removeMembers(g: GroupCache, gid: string, uids: string[]): void {
  const list = g.members.get(gid);
  if (list && uids.length > 0) g.members.set(gid, list.filter((m) => !uids.includes(key(m.user_id as number))));
}

function addMembers(g: GroupCache, gid: string, uids: string[], ts: unknown): void {
  const list = g.members.get(gid);
  if (!list) return;
  const out = [...list];
  for (const u of uids) {
    if (u !== "0" && !out.some((m) => key(m.user_id as number) === u)) out.push({ user_id: idValue(u), join_time: ts });
  }
  g.members.set(gid, out);
}

function setDisplayName(g: GroupCache, gid: string, uid: string, name: unknown): void {
  const list = g.members.get(gid);
  if (list) g.members.set(gid, list.map((m) => (key(m.user_id as number) === uid ? { ...m, display_name: name } : m)));
}

/** Group notice types (xsync.proto GroupNotice.Type) that change the caches. */
const N = { created: 3, destroyed: 4, joined: 5, leaved: 6, applyAccepted: 8, inviteAccepted: 11, kicked: 13, blocked: 14, ownerAssigned: 16, infoUpdated: 23, announcementUpdated: 24 };

/**
 * Applies a group notice meta (JSAPI.md §11) to the caches, as the engine did before these caches
 * moved here. The client calls it for every event payload of a batch before the listeners run,
 * so that handlers of onGroupMemberChanged and onGroupListUpdate read updated caches.
 */
export function applyGroupNotice(s: Session, go: GoClient, meta: unknown): void {
  if (!isObject(meta) || !isObject(meta.payload)) return;
  const p = meta.payload;
  if (!isObject(p.gid) || typeof p.type !== "number") return;
  const self = String(go.userManage.getUid() ?? "");
  if (self === "") return;
  const g = groupCache(s, go);
  const id = key(meta.id as number);
  if (g.seen.has(id)) return;
  g.seen.add(id);
  const gid = key(p.gid.uid as number);
  const from = isObject(p.from) ? key(p.from.uid as number) : "0";
  const to = Array.isArray(p.to) ? p.to.map((x) => key((x as { uid: number }).uid)) : [];
  const toSelf = to.includes(self);
  const join = () => {
    addId(g, gid);
    if (g.info.has(gid)) g.stale.add(gid);
  };
  switch (p.type) {
    case N.created:
      join();
      break;
    case N.destroyed:
      drop(g, gid);
      break;
    case N.joined:
    case N.inviteAccepted:
      if (from === self) join();
      else addMembers(g, gid, [from], meta.timestamp);
      break;
    case N.applyAccepted:
      if (toSelf) join();
      else addMembers(g, gid, to, meta.timestamp);
      break;
    case N.leaved:
      if (from === self) drop(g, gid);
      else removeMembers(g, gid, [from]);
      break;
    case N.kicked:
    case N.blocked:
      if (toSelf) drop(g, gid);
      else removeMembers(g, gid, to);
      break;
    case N.ownerAssigned:
      if (to.length > 0) patch(g, gid, { owner_id: idValue(to[0]!) });
      break;
    case N.infoUpdated: {
      let v: unknown;
      try {
        v = JSON.parse(String(p.content));
      } catch {
        return;
      }
      if (!isObject(v)) return;
      if (v.property === "display_name") {
        if (typeof v.display_name === "string") setDisplayName(g, gid, from, v.display_name);
        return;
      }
      const { property: _p, group_id: _g, ...fields } = v;
      if (Object.keys(fields).length > 0) patch(g, gid, fields);
      break;
    }
    case N.announcementUpdated:
      if (g.info.has(gid)) g.stale.add(gid);
      break;
  }
}

const done = () => true;

/** The group manager's methods that need the events of the client. */
export interface GroupHost {
  /** Delivers an event to the application's listeners. */
  emit(name: string, payload: unknown): void;
}

/** Runs req and, when the session did not change meanwhile, update(cache, data); resolves with the data. */
async function cachedCall<T>(s: Session, go: GoClient, req: Promise<T>, update: (g: GroupCache, data: T) => void): Promise<T> {
  const g = groupCache(s, go);
  const data = await req;
  if (groupCache(s, go) === g) update(g, data);
  return data;
}

/** Fetches a group's information (or settings, by path) into the cache. */
function fetchInfo(s: Session, go: GoClient, path: string, gid: Id): Promise<Record<string, unknown>> {
  return cachedCall(s, go, rest.get(go, path, [["group_id", gid.digits]]), (g, d) => merge(g, gid.digits, d));
}

/** Fetches a group's member list into the cache. */
function fetchMembers(s: Session, go: GoClient, gid: Id): Promise<unknown> {
  return cachedCall(s, go, rest.get(go, "/group/member_list", [["group_id", gid.digits]]), (g, d: unknown) =>
    g.members.set(gid.digits, list(d) as Array<Record<string, unknown>>));
}

/**
 * The uids of a group message's config.groupMemberList (PROTOCOL.md §8.2, §9.5): the other members
 * of gid when the group has read receipts on, null when it has them off. The engine calls it
 * (through the function the facade passes to sendGroupMessage and sendMentionMessage) before it
 * queues the message. The prefetched GroupBrief has no read_ack, so a group cached only from it
 * is fetched once; so is a member list not cached yet.
 */
export async function readReceiptMembers(s: Session, go: GoClient, gid: string): Promise<Array<number | string> | null> {
  const id = new Id(gid);
  const g = groupCache(s, go);
  let v = g.info.get(gid);
  if (!v || v.read_ack === undefined || g.stale.has(gid)) v = await fetchInfo(s, go, "/group/info", id);
  if (!isObject(v) || v.read_ack !== true) return null;
  const members = g.members.get(gid) ?? list(await fetchMembers(s, go, id));
  const self = String(go.userManage.getUid() ?? "");
  return rest.idList(members, "user_id").filter((u) => key(u) !== self);
}

export function groupMethods(s: Session, host: GroupHost): Record<string, Impl> {
  const cached = <T>(go: GoClient, req: Promise<T>, update: (g: GroupCache, data: T) => void) => cachedCall(s, go, req, update);
  const info = (go: GoClient, path: string, gid: Id) => fetchInfo(s, go, path, gid);
  const members = (go: GoClient, gid: Id) => fetchMembers(s, go, gid);
  const joined = (go: GoClient, force: boolean) => {
    const ids = groupCache(s, go).ids;
    if (ids && !force) return [...ids];
    return cached(go, rest.get(go, "/group/user_joined"), (g, d) => (g.ids = rest.idList(d, "group_id"))).then((d) => rest.idList(d, "group_id"));
  };
  /** A required field of the parameter object. */
  const need = (a: Args, k: string): unknown => {
    const v = a.f(k);
    if (v === undefined || v === null) a.fail(`${k} is required`);
    return v;
  };
  const reqStr = (a: Args, k: string) => a.str(need(a, k), k);
  const reqText = (a: Args, k: string) => a.text(need(a, k), k);
  const reqFlag = (a: Args, k: string) => a.flag(need(a, k), k);
  const reqNum = (a: Args, k: string, min: number, max: number) => a.num(need(a, k), k, 0, min, max);
  const needIds = (ids: Id[], what: string) => {
    if (ids.length === 0) throw clientError(`${what} must not be empty`);
    return ids;
  };
  /** POST {group_id, value} to an info or settings endpoint; the cached field follows. */
  const set = (path: string, field: string | undefined, read: (a: Args) => unknown): Impl => (a, go) => {
    const gid = a.fid("group_id");
    const value = read(a);
    return cached(go, rest.post(go, path, { group_id: gid, value }), (g) => field && patch(g, gid.digits, { [field]: value })).then(done);
  };
  /** POST {group_id, user_list, ...extra} with the per-user results. */
  const userList = (path: string, extra?: (a: Args) => Record<string, unknown>, remove = false): Impl => (a, go) => {
    const gid = a.fid("group_id");
    const user_list = needIds(a.fids("user_list"), "user list");
    const more = extra?.(a) ?? {};
    return cached(go, rest.post(go, path, { group_id: gid, user_list, ...more }), (g, d: unknown) => {
      if (!remove) return;
      const gone = list(d).filter((r) => isObject(r) && r.result === "success").map((r) => key((r as { user_id: number }).user_id));
      removeMembers(g, gid.digits, gone);
    }).then(list);
  };
  const leave = (path: string): Impl => (a, go) => {
    const gid = a.gid();
    return cached(go, rest.postQuery(go, path, [["group_id", gid.digits]]), (g) => drop(g, gid.digits)).then(done);
  };
  const byGid = (path: string): Impl => (a, go) => rest.get(go, path, [["group_id", a.gid().digits]]).then(list);
  const minutes = (a: Args) => reqNum(a, "duration", 1, 100 * 366 * 24 * 60);

  return {
    asyncGetGroupInfo: (a, go) => {
      const gid = a.gid();
      const force = a.flag(a.arg(1), "force");
      const g = groupCache(s, go);
      const v = g.info.get(gid.digits);
      if (!force && v && !g.stale.has(gid.digits)) return { ...v };
      return info(go, "/group/info", gid);
    },
    asyncGetJoinedGroups: (a, go) => joined(go, a.flag(a.arg(0), "force")),
    openGroup: async (a, go) => {
      const gid = a.gid();
      await members(go, gid);
      host.emit("onGroupMemberChanged", idValue(gid));
    },
    asyncGetGroupMembers: (a, go) => members(go, a.gid()).then((d) => rest.idList(d, "user_id")),
    asyncGetGroupListDetail: async (a, go) => {
      const gids = a.ids(a.need(a.arg(0), "gids"), "gids");
      const out: unknown[] = [];
      for (let i = 0; i < gids.length; i += batchSize) {
        const chunk = gids.slice(i, i + batchSize);
        const data = await cached(go, rest.post(go, "/group/info/batch", { group_list: chunk }), (g, d: unknown) => {
          for (const v of list(d)) if (isObject(v) && v.group_id !== undefined) merge(g, key(v.group_id as number), v);
        });
        out.push(...list(data));
      }
      return out;
    },
    asyncGetInfo: (a, go) => info(go, "/group/info", a.gid()),
    asyncGetMemberList: (a, go) => members(go, a.gid()),
    asyncCreate: (a, go) => {
      const name = reqStr(a, "name");
      const type = a.fnum("type", 3);
      const avatar = a.ftext("avatar");
      const description = a.ftext("description");
      const users = a.fids("user_list");
      if (name.trim() === "") throw clientError("group name is required");
      const body = { name, type, avatar: avatar || undefined, description: description || undefined, user_list: users.length > 0 ? users : undefined };
      return cached(go, rest.post(go, "/group/create", body), (g, d: unknown) => {
        if (!isObject(d) || d.group_id === undefined) return;
        const gid = key(d.group_id as number);
        merge(g, gid, d);
        addId(g, gid);
      });
    },
    asyncDestroy: leave("/group/destroy"),
    asyncLeave: leave("/group/leave"),
    asyncGetPublicList: (_a, go) => rest.get(go, "/group/public_list").then((d) => rest.idList(d, "group_id")),
    asyncGetUserJoined: (_a, go) => joined(go, true),
    asyncUpdateName: set("/group/info/name", "name", (a) => {
      const v = reqStr(a, "value");
      if (v.trim() === "") throw clientError("group name is required");
      return v;
    }),
    asyncUpdateAvatar: set("/group/info/avatar", "avatar", (a) => reqText(a, "value")),
    asyncUpdateDescription: set("/group/info/description", "description", (a) => reqText(a, "value")),
    asyncUpdateExt: set("/group/info/ext", "ext", (a) => reqText(a, "value")),
    asyncGetSettings: (a, go) => info(go, "/group/settings", a.gid()),
    asyncUpdateAllowMemberInvitation: set("/group/settings/allow_member_invitation", "member_invite", (a) => reqFlag(a, "value")),
    asyncUpdateAllowMemberModify: set("/group/settings/allow_member_modify", "member_modify", (a) => reqFlag(a, "value")),
    asyncUpdateEnableReadack: set("/group/settings/enable_read_ack", "read_ack", (a) => reqFlag(a, "value")),
    asyncUpdateHistoryVisible: set("/group/settings/history_visible", "history_visible", (a) => reqFlag(a, "value")),
    asyncHideMemberInfo: set("/group/settings/hide_member_info", "hide_member_info", (a) => reqFlag(a, "value")),
    asyncUpdateMsgNotDisturb: set("/group/msg/not_disturb", undefined, (a) => reqFlag(a, "value")),
    asyncUpdateRequireadminapproval: (a, go) => {
      const gid = a.fid("group_id");
      const apply_approval = reqNum(a, "apply_approval", 0, 2);
      return cached(go, rest.post(go, "/group/settings/require_admin_approval", { group_id: gid, apply_approval }), (g) =>
        patch(g, gid.digits, { apply_approval })).then(done);
    },
    asyncBanAll: (a, go) => {
      const gid = a.fid("group_id");
      const duration = minutes(a);
      return cached(go, rest.post(go, "/group/settings/ban_all", { group_id: gid, duration }), (g, d: unknown) =>
        patch(g, gid.digits, { ban_expire_time: isObject(d) ? d.ban_expire_time : undefined })).then((d: unknown) => ({
        ban_expire_time: isObject(d) && typeof d.ban_expire_time === "number" ? d.ban_expire_time : 0,
      }));
    },
    asyncUnBanAll: (a, go) => {
      const gid = a.gid();
      return cached(go, rest.post(go, "/group/settings/unban_all", { group_id: gid }), (g) => patch(g, gid.digits, { ban_expire_time: 0 })).then(done);
    },
    asyncGroupMsgMutemode: (a, go) => {
      const gid = a.fid("group_id");
      const msg_mute_mode = reqNum(a, "msg_mute_mode", 0, 2);
      // The endpoint answers null (REST.md §8), and so does the method.
      return cached(go, rest.post(go, "/group/msg/mute_mode", { group_id: gid, msg_mute_mode }), (g) => patch(g, gid.digits, { msg_mute_mode })).then(() => null);
    },
    asyncGetAdminList: byGid("/group/admin_list"),
    asyncAdminAdd: userList("/group/admin/add"),
    asyncAdminRemove: userList("/group/admin/remove"),
    asyncOwnerTransfer: (a, go) => {
      const gid = a.fid("group_id");
      const new_owner = a.fid("new_owner");
      return cached(go, rest.post(go, "/group/transfer", { group_id: gid, new_owner }), (g) => patch(g, gid.digits, { owner_id: idValue(new_owner) }));
    },
    asyncApply: (a, go) => {
      const gid = a.fid("group_id");
      const reason = a.fstr("reason");
      return rest.post(go, "/group/apply", { group_id: gid, reason: reason || undefined });
    },
    asyncApplyHandle: (a, go) => {
      const gid = a.fid("group_id");
      const user_id = a.fid("user_id");
      const approval = reqFlag(a, "approval");
      return rest.post(go, "/group/apply/handle", { group_id: gid, user_id, approval });
    },
    asncGetApplicationList: (a, go) => {
      const group_list = a.fids("group_list");
      const opts = a.listOptions();
      needIds(group_list, "group list");
      return rest.call(go, { method: "POST", path: "/group/application_list", query: rest.listQuery(opts, false), body: rest.bodyJSON({ group_list }) }).then(list);
    },
    asyncInvite: userList("/group/invite", (a) => ({ reason: a.fstr("reason") || undefined })),
    asyncInviteHandle: (a, go) => {
      const gid = a.fid("group_id");
      const user_id = a.fid("user_id");
      const approval = reqFlag(a, "approval");
      return rest.post(go, "/group/invite/handle", { group_id: gid, user_id, approval }).then(done);
    },
    asyncGetInvitationList: (a, go) => rest.get(go, "/group/invitation_list", rest.listQuery(a.listOptions(), false)).then(list),
    asyncKick: userList("/group/kick", undefined, true),
    asyncGroupBlock: userList("/group/block", undefined, true),
    asyncGroupUnblock: userList("/group/unblock"),
    asyncGroupBockedlist: byGid("/group/blocked_list"),
    asyncGroupBab: (a, go) => {
      // The duration is checked before the user list, as the engine did.
      const gid = a.fid("group_id");
      const user_list = a.fids("user_list");
      const duration = minutes(a);
      needIds(user_list, "user list");
      return rest.post(go, "/group/ban", { group_id: gid, user_list, duration }).then(list);
    },
    asyncGroupUnban: userList("/group/unban"),
    asyncGroupBannedList: byGid("/group/banned_list"),
    asyncGetMemberDisplayName: userList("/group/members/display_name"),
    asyncUpdateDisplayName: (a, go) => {
      const gid = a.fid("group_id");
      const value = reqStr(a, "value");
      const self = String(go.userManage.getUid() ?? "");
      return cached(go, rest.post(go, "/group/display_name", { group_id: gid, value }), (g) => setDisplayName(g, gid.digits, self, value)).then(done);
    },
    asyncGetAnnouncementList: byGid("/group/announcement/list"),
    asyncGetAnouncementById: (a, go) => {
      const gid = a.fid("group_id");
      const id = a.fid("announcement_id");
      return rest.get(go, "/group/announcement", [["group_id", gid.digits], ["announcement_id", id.digits]]);
    },
    asyncAnnouncementEdit: (a, go) => {
      const gid = a.fid("group_id");
      const title = reqStr(a, "title");
      const content = reqText(a, "content");
      if (title === "" && content === "") throw clientError("announcement needs a title or content");
      return rest.post(go, "/group/announcement/edit", { group_id: gid, title, content });
    },
    asyncAnouncementDelete: (a, go) => {
      const gid = a.fid("group_id");
      const id = a.fid("announcement_id");
      return rest.postQuery(go, "/group/announcement/delete", [["group_id", gid.digits], ["announcement_id", id.digits]]).then(() => null);
    },
    asyncGetFileList: byGid("/group/file/list"),
    asyncFileUpload: (a, go) => {
      const gid = a.fid("group_id");
      const name = reqStr(a, "name");
      const size = a.idOpt(need(a, "size"), "size") ?? new Id("0");
      const type = reqStr(a, "type");
      const url = reqText(a, "url");
      if (name === "" || url === "") throw clientError("shared file needs a name and a URL");
      return rest.post(go, "/group/file/upload", { group_id: gid, name, size, type, url });
    },
    asyncFileDelete: (a, go) => {
      const gid = a.fid("group_id");
      const file_list = needIds(a.fids("file_list"), "file list");
      return rest.post(go, "/group/file/delete", { group_id: gid, file_list }).then(list);
    },
  };
}

/** The synchronous cache reads of groupManage: getAllGroupDetail and getGroupMembers. */
export function groupReads(s: Session) {
  return {
    getAllGroupDetail: (_a: Args, go: GoClient) => {
      const out: Record<string, unknown> = {};
      for (const [gid, v] of groupCache(s, go).info) out[gid] = { ...v };
      return out;
    },
    getGroupMembers: (a: Args, go: GoClient) => [...(groupCache(s, go).members.get(a.gid().digits) ?? [])],
  };
}

/** A REST list: the array, or empty for anything else. */
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
