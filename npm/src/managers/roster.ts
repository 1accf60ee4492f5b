// The REST methods of rosterManage (JSAPI.md §5, REST.md §7). The roster caches (the friend ids
// and the RosterItems of friends and of the strangers looked up) are the engine's
// (docs/localstore.md "Who owns what"): seeded from the login prefetch and kept current by the
// roster notices there, read and updated here through the engine's cache methods (rosterCache).
// The message methods (getRosterMessageByRid, readRosterMessage, recallMessage, ...) and the
// cache reads getAllRosterDetail and getRosterInfo are the engine's too.

import type { GoClient } from "../types/bridge.js";
import { FlooError } from "../errors.js";
import { type Args, clientError, Id } from "./args.js";
import * as rest from "./rest.js";
import { key } from "./rest.js";
import type { Impl, Session } from "./session.js";
import { idValue } from "./group.js";

/** The engine's roster caches (rosterManage.cache, jsbridge/rostermanage_js.go); a FlooError it returns is thrown. */
export function rosterCache(go: GoClient) {
  const call = (name: string, ...args: unknown[]): any => {
    const v = go.rosterManage[name]!(...args);
    if (v instanceof FlooError) throw v;
    return v;
  };
  const op = (name: string, ...args: unknown[]) => call("cache", name, ...args);
  return {
    /** Friend ids, undefined until known. */
    ids: (): Array<number | string> | undefined => op("ids"),
    /** The cached RosterItem of a decimal uid (a copy). */
    item: (uid: string): Record<string, unknown> | undefined => call("getRosterInfo", uid),
    /** Every cached RosterItem by decimal uid, in id order. */
    all: (): Record<string, Record<string, unknown>> => call("getAllRosterDetail"),
    /** Caches RosterItems; returns the ids cached. */
    keep: (items: unknown[]): Array<number | string> => op("keep", JSON.stringify(items)),
    keepIds: (ids: Array<number | string>): void => op("keepIds", JSON.stringify(ids)),
    /** Sets a field of a cached item; false when the item is not cached. */
    keepField: (uid: string, field: string, value: unknown): boolean => op("keepField", uid, field, JSON.stringify(value)),
    keepBlocked: (uid: string, blocked: boolean): void => op("keepBlocked", uid, blocked),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const done = () => true;

/** What the roster manager needs from the client. */
export interface RosterHost {
  /** Delivers an event to the application's listeners. */
  emit(name: string, payload: unknown): void;
}

export function rosterMethods(s: Session, host: RosterHost): Record<string, Impl> {
  /** Runs req and, when the session did not change meanwhile, update(cache, data); resolves with the data. */
  const cached = async <T>(go: GoClient, req: Promise<T>, update: (r: ReturnType<typeof rosterCache>, data: T) => void): Promise<T> => {
    const sess = s.current(go);
    const data = await req;
    if (s.current(go) === sess) update(rosterCache(go), data);
    return data;
  };
  /** POST /roster/list {list}: caches the items received and announces them with onRosterInfoUpdate. */
  const fetch = (go: GoClient, uids: string[]): Promise<Array<Record<string, unknown>>> =>
    cached(go, rest.post(go, "/roster/list", { list: uids.map((u) => new Id(u)) }), (r, d: unknown) => {
      const got = r.keep(list(d).filter(isObject));
      if (got.length > 0) host.emit("onRosterInfoUpdate", got);
    }).then((d) => list(d).filter((v): v is Record<string, unknown> => isObject(v) && v.user_id !== undefined && v.user_id !== 0));
  const uid = (a: Args) => a.fid("user_id");
  /** POST with the user id in the query (REST.md §7 "(q)"). */
  const postUid = (path: string) => (a: Args, go: GoClient) => rest.postQuery(go, path, [["user_id", uid(a).digits]]);
  const blocked = (path: string, on: boolean): Impl => (a, go) => {
    const u = uid(a);
    return cached(go, rest.postQuery(go, path, [["user_id", u.digits]]), (r) => r.keepBlocked(u.digits, on)).then(done);
  };
  /** POST /roster/ext with one field (as the official clients do), mirrored in the cached item. */
  const ext = (field: string, read: (a: Args) => string): Impl => (a, go) => {
    const u = uid(a);
    const value = read(a);
    return cached(go, rest.post(go, "/roster/ext", { user_id: u, [field]: value }), (r) => {
      if (r.keepField(u.digits, field, value)) host.emit("onRosterInfoUpdate", [idValue(u)]);
    }).then(done);
  };

  return {
    asyncGetRosterIdList: (a, go) => {
      const force = a.flag(a.arg(0), "force");
      const ids = rosterCache(go).ids();
      if (ids && !force) return ids;
      return cached(go, rest.get(go, "/roster/list"), (r, d) => r.keepIds(rest.idList(d, "user_id"))).then((d) => rest.idList(d, "user_id"));
    },
    asyncGetRosterInfo: async (a, go) => {
      const u = a.id(a.arg(0), "rid");
      const force = a.flag(a.arg(1), "force");
      const hit = force ? undefined : rosterCache(go).item(u.digits);
      if (hit) return hit;
      const items = await fetch(go, [u.digits]);
      const it = items.find((v) => key(v.user_id as number) === u.digits);
      if (!it) throw notFound(u.digits);
      return it;
    },
    asnycGetRosterListDetailByIds: async (a, go) => {
      const ids = a.ids(a.need(a.arg(0), "ids"), "ids").map((x) => x.digits);
      const r = rosterCache(go);
      const had = r.all();
      const missing = [...new Set(ids.filter((u) => !(u in had)))];
      const fetched = new Map<string, Record<string, unknown>>();
      if (missing.length > 0) for (const v of await fetch(go, missing)) fetched.set(key(v.user_id as number), v);
      const now = missing.length > 0 ? r.all() : had;
      return ids.flatMap((u) => {
        const v = fetched.get(u) ?? now[u];
        return v ? [{ ...v }] : [];
      });
    },
    asyncDeleteRoster: (a, go) => {
      const u = uid(a);
      return cached(go, rest.postQuery(go, "/roster/delete", [["user_id", u.digits]]), () => {
        // The engine drops the friend from its caches, the conversation, its messages and unread
        // count, and fires onRosterListUpdate (and onRecentConversationUpdate when the list changed).
        go.rosterManage.forgetRoster!(u.digits);
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

/** Orders decimal ids numerically. */
export const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

function notFound(uid: string): FlooError {
  return FlooError.fromName("NotFound", `no roster item for user ${uid}`);
}

/** A REST list: the array, or empty for anything else. */
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
