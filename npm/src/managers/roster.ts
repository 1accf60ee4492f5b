// The REST methods of rosterManage (JSAPI.md §5, REST.md §7) and the roster caches: the friend
// ids and the RosterItems of friends and of the strangers looked up. The caches are seeded from
// the login prefetch, kept current by the manager's own calls and by the roster notices the engine
// reports (applyRosterNotice), and start empty for a new session. The message methods
// (getRosterMessageByRid, readRosterMessage, recallMessage, ...) stay in the engine.

import type { GoClient } from "../types/bridge.js";
import { FlooError } from "../errors.js";
import { type Args, clientError, Id } from "./args.js";
import * as rest from "./rest.js";
import { key } from "./rest.js";
import type { Impl, Session, SessionCache } from "./session.js";
import { idValue } from "./group.js";

/** The roster caches of one session. */
export interface RosterCache {
  /** Friend ids, undefined until known. */
  ids: Array<number | string> | undefined;
  /** RosterItems by decimal uid. */
  items: Map<string, Record<string, unknown>>;
}

/** RosterItem.relation values (REST.md §7). */
const Relation = { friend: 0, stranger: 2, blocked: 3 };

/** The roster caches of the current session, seeded from the login prefetch on first use. */
export function rosterCache(s: Session, go: GoClient): RosterCache {
  const sess = s.current(go) as SessionCache & { roster?: RosterCache };
  if (!sess.roster) {
    const r: RosterCache = { ids: undefined, items: new Map() };
    const p = go.prefetched?.();
    if (p && p.rosterIds.length > 0) r.ids = [...p.rosterIds];
    for (const v of p?.rosters ?? []) {
      if (isObject(v) && v.user_id !== undefined && v.user_id !== 0) r.items.set(key(v.user_id as number), { ...v });
    }
    sess.roster = r;
  }
  return sess.roster;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isFriend(r: RosterCache, uid: string): boolean {
  return r.ids?.some((x) => key(x) === uid) ?? false;
}

function patch(r: RosterCache, uid: string, fields: Record<string, unknown>): boolean {
  const old = r.items.get(uid);
  if (old) r.items.set(uid, { ...old, ...fields });
  return old !== undefined;
}

/** Records a block or unblock: blocked, or back to friend or stranger depending on the friend list. */
function setRelation(r: RosterCache, uid: string, blocked: boolean): void {
  patch(r, uid, { relation: blocked ? Relation.blocked : isFriend(r, uid) ? Relation.friend : Relation.stranger });
}

/** Roster notice types (xsync.proto RosterNotice.Type) that change the caches. */
const N = { added: 1, removed: 2, accepted: 3, blocked: 5, unblocked: 6, infoUpdated: 8, muted: 9, unmuted: 10 };

/**
 * Applies a roster notice meta (the payload of onRosterListUpdate, JSAPI.md §11) to the caches,
 * as the engine did before these caches moved here; the client calls it before the listeners run.
 */
export function applyRosterNotice(s: Session, go: GoClient, meta: unknown): void {
  if (!isObject(meta) || !isObject(meta.payload)) return;
  const p = meta.payload;
  if (p.gid !== undefined || typeof p.type !== "number") return;
  const self = String(go.userManage.getUid() ?? "");
  if (self === "") return;
  const from = isObject(p.from) ? key(p.from.uid as number) : "0";
  const to0 = Array.isArray(p.to) && isObject(p.to[0]) ? key(p.to[0].uid as number) : "0";
  const other = from === self || from === "0" ? to0 : from;
  if (other === "0") return;
  const r = rosterCache(s, go);
  switch (p.type) {
    case N.added:
    case N.accepted:
      if (!isFriend(r, other)) (r.ids ??= []).push(idValue(other));
      patch(r, other, { relation: Relation.friend });
      break;
    case N.removed:
      if (r.ids) r.ids = r.ids.filter((x) => key(x) !== other);
      r.items.delete(other);
      break;
    case N.blocked:
    case N.unblocked:
      setRelation(r, other, p.type === N.blocked);
      break;
    case N.muted:
    case N.unmuted:
      patch(r, other, { mute_notification: p.type === N.muted });
      break;
    case N.infoUpdated: {
      let v: unknown;
      try {
        v = JSON.parse(String(p.content));
      } catch {
        return;
      }
      if (!isObject(v)) return;
      const { user_id: _u, ...fields } = v;
      patch(r, other, fields);
      break;
    }
  }
}

const done = () => true;

/** What the roster manager needs from the client. */
export interface RosterHost {
  /** Delivers an event to the application's listeners. */
  emit(name: string, payload: unknown): void;
}

export function rosterMethods(s: Session, host: RosterHost): Record<string, Impl> {
  /** Runs req and, when the session did not change meanwhile, update(cache, data); resolves with the data. */
  const cached = async <T>(go: GoClient, req: Promise<T>, update: (r: RosterCache, data: T) => void): Promise<T> => {
    const r = rosterCache(s, go);
    const data = await req;
    if (rosterCache(s, go) === r) update(r, data);
    return data;
  };
  /** POST /roster/list {list}: caches the items received and announces them with onRosterInfoUpdate. */
  const fetch = (go: GoClient, uids: string[]): Promise<Array<Record<string, unknown>>> =>
    cached(go, rest.post(go, "/roster/list", { list: uids.map((u) => new Id(u)) }), (r, d: unknown) => {
      const got: Array<number | string> = [];
      for (const v of list(d)) {
        if (!isObject(v) || v.user_id === undefined || v.user_id === 0) continue;
        r.items.set(key(v.user_id as number), v);
        got.push(idValue(key(v.user_id as number)));
      }
      if (got.length > 0) host.emit("onRosterInfoUpdate", got);
    }).then((d) => list(d).filter((v): v is Record<string, unknown> => isObject(v) && v.user_id !== undefined && v.user_id !== 0));
  const uid = (a: Args) => a.fid("user_id");
  /** POST with the user id in the query (REST.md §7 "(q)"). */
  const postUid = (path: string) => (a: Args, go: GoClient) => rest.postQuery(go, path, [["user_id", uid(a).digits]]);
  const blocked = (path: string, on: boolean): Impl => (a, go) => {
    const u = uid(a);
    return cached(go, rest.postQuery(go, path, [["user_id", u.digits]]), (r) => setRelation(r, u.digits, on)).then(done);
  };
  /** POST /roster/ext with one field (as the official clients do), mirrored in the cached item. */
  const ext = (field: string, read: (a: Args) => string): Impl => (a, go) => {
    const u = uid(a);
    const value = read(a);
    return cached(go, rest.post(go, "/roster/ext", { user_id: u, [field]: value }), (r) => {
      if (patch(r, u.digits, { [field]: value })) host.emit("onRosterInfoUpdate", [idValue(u)]);
    }).then(done);
  };

  return {
    asyncGetRosterIdList: (a, go) => {
      const force = a.flag(a.arg(0), "force");
      const ids = rosterCache(s, go).ids;
      if (ids && !force) return [...ids];
      return cached(go, rest.get(go, "/roster/list"), (r, d) => (r.ids = rest.idList(d, "user_id"))).then((d) => rest.idList(d, "user_id"));
    },
    asyncGetRosterInfo: async (a, go) => {
      const u = a.id(a.arg(0), "rid");
      const force = a.flag(a.arg(1), "force");
      const hit = rosterCache(s, go).items.get(u.digits);
      if (!force && hit) return { ...hit };
      const items = await fetch(go, [u.digits]);
      const it = items.find((v) => key(v.user_id as number) === u.digits);
      if (!it) throw notFound(u.digits);
      return it;
    },
    asnycGetRosterListDetailByIds: async (a, go) => {
      const ids = a.ids(a.need(a.arg(0), "ids"), "ids").map((x) => x.digits);
      const r = rosterCache(s, go);
      const missing = [...new Set(ids.filter((u) => !r.items.has(u)))];
      const fetched = new Map<string, Record<string, unknown>>();
      if (missing.length > 0) for (const v of await fetch(go, missing)) fetched.set(key(v.user_id as number), v);
      const now = rosterCache(s, go).items;
      return ids.flatMap((u) => {
        const v = fetched.get(u) ?? now.get(u);
        return v ? [{ ...v }] : [];
      });
    },
    asyncDeleteRoster: (a, go) => {
      const u = uid(a);
      return cached(go, rest.postQuery(go, "/roster/delete", [["user_id", u.digits]]), (r) => {
        if (r.ids) r.ids = r.ids.filter((x) => key(x) !== u.digits);
        r.items.delete(u.digits);
        // The engine drops the conversation, its messages and unread count, and fires
        // onRosterListUpdate (and onRecentConversationUpdate when the list changed).
        (go.rosterManage as Record<string, (...a: unknown[]) => unknown>).forgetRoster!(u.digits);
      }).then(done);
    },
    asyncGetApplyList: (a, go) => rest.get(go, "/roster/apply/list", rest.listQuery(a.listOptions(), true)).then(list),
    asyncGetBlockedlist: (_a, go) => rest.get(go, "/roster/blocked_list").then((d) => rest.idList(d, "user_id")),
    asyncBlockeAdd: blocked("/roster/block", true),
    asyncBlockeRemove: blocked("/roster/unblock", false),
    asyncApply: (a, go) => {
      const user_id = uid(a);
      const alias = a.fstr("alias");
      const reason = a.fstr("reason");
      const auth_answer = a.fstr("auth_answer");
      return rest.post(go, "/roster/apply", { user_id, alias, reason: reason || undefined, auth_answer: auth_answer || undefined }).then(done);
    },
    asyncAccept: (a, go) => postUid("/roster/accept")(a, go).then(done),
    asyncDecline: (a, go) => {
      const user_id = uid(a);
      const reason = a.fstr("reason");
      return rest.post(go, "/roster/decline", { user_id, reason: reason || undefined }).then(done);
    },
    asyncUpdateRosterExt: ext("ext", (a) => a.ftext("ext")),
    asyncUpdateRosterAlias: ext("alias", (a) => a.fstr("alias")),
    asyncSearchRosterByName: (a, go) => {
      const username = a.fstr("username");
      if (username.trim() === "") throw clientError("username is required");
      return rest.get(go, "/roster/name", [["username", username]]);
    },
    asyncSearchRosterById: (a, go) => rest.get(go, "/roster/id", [["user_id", uid(a).digits]]),
  };
}

/** The synchronous cache reads of rosterManage: getAllRosterDetail and getRosterInfo. */
export function rosterReads(s: Session) {
  return {
    getAllRosterDetail: (_a: Args, go: GoClient) => {
      const items = rosterCache(s, go).items;
      const out: Record<string, unknown> = {};
      for (const uid of [...items.keys()].sort(byId)) out[uid] = { ...items.get(uid)! };
      return out;
    },
    getRosterInfo: (a: Args, go: GoClient) => {
      const v = rosterCache(s, go).items.get(a.id(a.arg(0), "rid").digits);
      return v ? { ...v } : undefined;
    },
  };
}

/** Orders decimal ids numerically. */
export const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

function notFound(uid: string): FlooError {
  return FlooError.fromName("NotFound", `no roster item for user ${uid}`);
}

/** A REST list: the array, or empty for anything else. */
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
