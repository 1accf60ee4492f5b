// The REST methods of groupManage (JSAPI.md §6, REST.md §8). The group caches (the joined group
// ids, the group information and the member lists) are the engine's (docs/localstore.md "Who owns
// what"): seeded from the login prefetch and kept current by the group notices there, read and
// updated here through the engine's cache methods (groupCache). The group message methods
// (getGruopMessage, readGroupMessage, recallMessage, ...) and getAllGroupDetail are the engine's
// too.

import type { GoClient } from "../types/bridge.js";
import { FlooError } from "../errors.js";
import { type Args, clientError, Id } from "./args.js";
import * as rest from "./rest.js";
import { key } from "./rest.js";
import type { Impl, Session } from "./session.js";

/** Groups per POST /group/info/batch (REST.md §8: the official clients send up to 20). */
const batchSize = 20;

/** The engine's group caches (groupManage.cache, jsbridge/groupmanage_js.go); a FlooError it returns is thrown. */
export function groupCache(go: GoClient) {
  const call = (name: string, ...args: unknown[]): any => {
    const v = go.groupManage[name]!(...args);
    if (v instanceof FlooError) throw v;
    return v;
  };
  const json = (v: unknown) => JSON.stringify(v ?? null);
  const op = (name: string, ...args: unknown[]) => call("cache", name, ...args);
  return {
    /** Joined group ids, undefined until known. */
    ids: (): Array<number | string> | undefined => op("ids"),
    /** The cached GroupInfo (or GroupBrief) of a decimal gid; undefined when missing or stale (a join, an announcement). */
    info: (gid: string): Record<string, unknown> | undefined => op("info", gid),
    /** Every cached group by decimal gid. */
    all: (): Record<string, Record<string, unknown>> => call("getAllGroupDetail"),
    /** The cached member list of gid, undefined when none. */
    members: (gid: string): Array<Record<string, unknown>> | undefined => op("members", gid),
    keepIds: (ids: Array<number | string>): void => op("keepIds", json(ids)),
    /** Merges an info object (its fields win); with join, gid is joined too. */
    keep: (gid: string, v: unknown, join = false): void => op("keep", gid, json(v), join),
    /** Merges fields into the cached info of gid, if cached. */
    patch: (gid: string, fields: Record<string, unknown>): void => op("keepFields", gid, json(fields)),
    keepMembers: (gid: string, list: unknown[]): void => op("keepMembers", gid, json(list)),
    removeMembers: (gid: string, uids: string[]): void => op("removeMembers", gid, json(uids)),
    setDisplayName: (gid: string, uid: string, name: string): void => op("displayName", gid, uid, name),
    /** Forgets everything cached about gid. */
    drop: (gid: string): void => op("forget", gid),
  };
}

type GroupCache = ReturnType<typeof groupCache>;

/** An id as the engine reports ids: a number when exact, else the decimal string. */
export function idValue(id: Id | string): number | string {
  const d = String(id);
  return d.length < 16 ? Number(d) : d;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const done = () => true;

/** The group manager's methods that need the events of the client. */
export interface GroupHost {
  /** Delivers an event to the application's listeners. */
  emit(name: string, payload: unknown): void;
}

/** Runs req and, when the session did not change meanwhile, update(cache, data); resolves with the data. */
async function cachedCall<T>(s: Session, go: GoClient, req: Promise<T>, update: (g: GroupCache, data: T) => void): Promise<T> {
  const sess = s.current(go);
  const data = await req;
  if (s.current(go) === sess) update(groupCache(go), data);
  return data;
}

/** Fetches a group's information (or settings, by path) into the cache. */
function fetchInfo(s: Session, go: GoClient, path: string, gid: Id): Promise<Record<string, unknown>> {
  return cachedCall(s, go, rest.get(go, path, [["group_id", gid.digits]]), (g, d) => g.keep(gid.digits, d));
}

/** Fetches a group's member list into the cache. */
function fetchMembers(s: Session, go: GoClient, gid: Id): Promise<unknown> {
  return cachedCall(s, go, rest.get(go, "/group/member_list", [["group_id", gid.digits]]), (g, d: unknown) =>
    g.keepMembers(gid.digits, list(d)));
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
  const g = groupCache(go);
  let v = g.info(gid);
  if (!v || v.read_ack === undefined) v = await fetchInfo(s, go, "/group/info", id);
  if (!isObject(v) || v.read_ack !== true) return null;
  const members = g.members(gid) ?? list(await fetchMembers(s, go, id));
  const self = String(go.userManage.getUid() ?? "");
  return rest.idList(members, "user_id").filter((u) => key(u) !== self);
}

export function groupMethods(s: Session, host: GroupHost): Record<string, Impl> {
  const cached = <T>(go: GoClient, req: Promise<T>, update: (g: GroupCache, data: T) => void) => cachedCall(s, go, req, update);
  const info = (go: GoClient, path: string, gid: Id) => fetchInfo(s, go, path, gid);
  const members = (go: GoClient, gid: Id) => fetchMembers(s, go, gid);
  const joined = (go: GoClient, force: boolean) => {
    const ids = groupCache(go).ids();
    if (ids && !force) return ids;
    return cached(go, rest.get(go, "/group/user_joined"), (g, d) => g.keepIds(rest.idList(d, "group_id"))).then((d) => rest.idList(d, "group_id"));
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
    return cached(go, rest.post(go, path, { group_id: gid, value }), (g) => field && g.patch(gid.digits, { [field]: value })).then(done);
  };
  /** POST {group_id, user_list, ...extra} with the per-user results. */
  const userList = (path: string, extra?: (a: Args) => Record<string, unknown>, remove = false): Impl => (a, go) => {
    const gid = a.fid("group_id");
    const user_list = needIds(a.fids("user_list"), "user list");
    const more = extra?.(a) ?? {};
    return cached(go, rest.post(go, path, { group_id: gid, user_list, ...more }), (g, d: unknown) => {
      if (!remove) return;
      const gone = list(d).filter((r) => isObject(r) && r.result === "success").map((r) => key((r as { user_id: number }).user_id));
      g.removeMembers(gid.digits, gone);
    }).then(list);
  };
  const leave = (path: string): Impl => (a, go) => {
    const gid = a.gid();
    return cached(go, rest.postQuery(go, path, [["group_id", gid.digits]]), (g) => g.drop(gid.digits)).then(done);
  };
  const byGid = (path: string): Impl => (a, go) => rest.get(go, path, [["group_id", a.gid().digits]]).then(list);
  const minutes = (a: Args) => reqNum(a, "duration", 1, 100 * 366 * 24 * 60);

  return {
    asyncGetGroupInfo: (a, go) => {
      const gid = a.gid();
      const force = a.flag(a.arg(1), "force");
      const v = force ? undefined : groupCache(go).info(gid.digits);
      if (v) return v;
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
          for (const v of list(d)) if (isObject(v) && v.group_id !== undefined) g.keep(key(v.group_id as number), v);
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
        g.keep(key(d.group_id as number), d, true);
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
        g.patch(gid.digits, { apply_approval })).then(done);
    },
    asyncBanAll: (a, go) => {
      const gid = a.fid("group_id");
      const duration = minutes(a);
      return cached(go, rest.post(go, "/group/settings/ban_all", { group_id: gid, duration }), (g, d: unknown) =>
        g.patch(gid.digits, { ban_expire_time: isObject(d) ? d.ban_expire_time : undefined })).then((d: unknown) => ({
        ban_expire_time: isObject(d) && typeof d.ban_expire_time === "number" ? d.ban_expire_time : 0,
      }));
    },
    asyncUnBanAll: (a, go) => {
      const gid = a.gid();
      return cached(go, rest.post(go, "/group/settings/unban_all", { group_id: gid }), (g) => g.patch(gid.digits, { ban_expire_time: 0 })).then(done);
    },
    asyncGroupMsgMutemode: (a, go) => {
      const gid = a.fid("group_id");
      const msg_mute_mode = reqNum(a, "msg_mute_mode", 0, 2);
      // The endpoint answers null (REST.md §8), and so does the method.
      return cached(go, rest.post(go, "/group/msg/mute_mode", { group_id: gid, msg_mute_mode }), (g) => g.patch(gid.digits, { msg_mute_mode })).then(() => null);
    },
    asyncGetAdminList: byGid("/group/admin_list"),
    asyncAdminAdd: userList("/group/admin/add"),
    asyncAdminRemove: userList("/group/admin/remove"),
    asyncOwnerTransfer: (a, go) => {
      const gid = a.fid("group_id");
      const new_owner = a.fid("new_owner");
      return cached(go, rest.post(go, "/group/transfer", { group_id: gid, new_owner }), (g) => g.patch(gid.digits, { owner_id: idValue(new_owner) }));
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
      return cached(go, rest.post(go, "/group/display_name", { group_id: gid, value }), (g) => g.setDisplayName(gid.digits, self, value)).then(done);
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

/** The synchronous cache read of groupManage the engine does not answer: getGroupMembers (its gid may be a {group_id} object). */
export function groupReads() {
  return {
    getGroupMembers: (a: Args, go: GoClient) => groupCache(go).members(a.gid().digits) ?? [],
  };
}

/** A REST list: the array, or empty for anything else. */
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
