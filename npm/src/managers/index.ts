// The manager methods implemented in TypeScript over the engine's generic REST entry, by manager.
// makeManager (../managers.ts) puts them in place of the Go methods of the same names.

import { register, sysAccountMethods, userMethods, fetchProfile } from "./user.js";
import { asyncMethod, Session, syncMethod, type Impl, type Runner } from "./session.js";
import { groupMethods, groupReads, readReceiptMembers } from "./group.js";

import type { GoClient } from "../types/bridge.js";
import { closedError, FlooError } from "../errors.js";
import { groupCache } from "./group.js";
import { byId, rosterCache, rosterMethods } from "./roster.js";
import { downloadAudio, fileUpload, sysMethods, sysReads } from "./sys.js";
import type { HttpTransport } from "../types.js";

export { Session } from "./session.js";
export type { Runner } from "./session.js";

type Methods = Record<string, (...args: unknown[]) => unknown>;

function wrap(runner: Runner, mgr: string, impls: Record<string, Impl>): Methods {
  const out: Methods = {};
  for (const [name, impl] of Object.entries(impls)) out[name] = asyncMethod(runner, mgr, name, impl);
  return out;
}

/** The TypeScript methods of every manager, sharing the caches of session; http is the platform HTTP transport once the client runs. */
export function tsMethods(runner: Runner, session: Session, http: () => HttpTransport | undefined): Record<"userManage" | "rosterManage" | "groupManage" | "sysManage", Methods> {
  const reads = groupReads();
  return {
    userManage: wrap(runner, "userManage", userMethods(session)),
    rosterManage: {
      ...wrap(runner, "rosterManage", {
        ...rosterMethods(session, runner),
        asyncRegester: register("/user/register/v2"),
        asyncGetUserProfile: (a, go) => {
          const force = a.flag(a.arg(0), "force");
          const cached = session.current(go).profile;
          if (!force && cached !== undefined) return cached;
          return fetchProfile(session, go);
        },
      }),
    },
    groupManage: {
      ...wrap(runner, "groupManage", groupMethods(session, runner)),
      getGroupMembers: syncMethod(runner, "groupManage", "getGroupMembers", reads.getGroupMembers, () => []),
    },
    sysManage: {
      ...wrap(runner, "sysManage", { ...sysAccountMethods, ...sysMethods, asyncFileUpload: fileUpload(http), downloadAudio: downloadAudio(http) }),
      ...Object.fromEntries(Object.entries(sysReads).map(([name, impl]) => [name, syncMethod(runner, "sysManage", name, impl, () => notReady(runner, `sysManage.${name}`))])),
      sendGroupMessage: receiptSend(runner, session, "sendGroupMessage"),
      sendMentionMessage: receiptSend(runner, session, "sendMentionMessage"),
      makeSearch: (...args: unknown[]) => {
        const go = runner.go();
        if (!go) return { rosterArr: [], groupArr: [] };
        const r = (go.sysManage as Record<string, (...a: unknown[]) => unknown>).makeSearch!(...args);
        if (r instanceof FlooError) throw r;
        return searchCaches(session, go, String(args[0] ?? ""), r as SearchResult);
      },
    },
  };
}

/** What a synchronous method without a value before the engine runs does then: it throws. */
function notReady(runner: Runner, where: string): never {
  if (runner.closed()) throw closedError();
  throw FlooError.fromName("GeneralError", `${where}: the SDK is still loading; await im.ready() first`);
}

/**
 * The group sends (sysManage.sendGroupMessage, sendMentionMessage): the engine checks the message,
 * returns its client_mid at once and, before it queues it, asks readReceiptMembers for the
 * config.groupMemberList of a group with read receipts on, which needs the group caches kept here.
 */
function receiptSend(runner: Runner, session: Session, name: string): (...args: unknown[]) => unknown {
  return (...args) => {
    const go = runner.go();
    if (!go) {
      if (runner.closed()) throw closedError();
      throw FlooError.fromName("GeneralError", `sysManage.${name}: the SDK is still loading; await im.ready() first`);
    }
    const members = (gid: string) => readReceiptMembers(session, go, gid);
    const v = (go.sysManage as Record<string, (...a: unknown[]) => unknown>)[name]!(args[0], members);
    if (v instanceof FlooError) throw v;
    return v;
  };
}

/** @internal The result of makeSearch. */
export interface SearchResult {
  rosterArr: Array<{ user_id: number | string; username?: string; avatar?: string; content?: string }>;
  groupArr: Array<{ group_id: number | string; name?: string; content?: string }>;
}

/**
 * Completes the engine's search, which returns the message hits only ({user_id | group_id,
 * content}), with the caches kept here: the friends whose user name, nickname or alias contains
 * the keyword and the groups whose name does, in id order, then the engine's message hits, named
 * from the caches. The engine folds ASCII letters only (no Unicode case tables in the wasm). A
 * follower tab calls it with the caches the leader published (client.ts).
 * @internal
 */
export function searchCaches(s: Session, go: GoClient, keyword: string, r: SearchResult): SearchResult {
  const kw = keyword.trim().toLowerCase();
  if (kw === "") return r;
  const roster = rosterCache(go);
  const items = roster.all();
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const rosterHit = (uid: string, content?: string) => {
    const it = items[uid] ?? {};
    const name = str(it.alias) || str(it.nick_name) || str(it.username);
    return { user_id: uid.length < 16 ? Number(uid) : uid, username: name, avatar: str(it.avatar), ...(content !== undefined ? { content } : {}) };
  };
  const friends = (roster.ids() ?? []).map(String).sort(byId).flatMap((uid) => {
    const it = items[uid];
    const match = it && [it.username, it.nick_name, it.alias].some((f) => typeof f === "string" && f !== "" && f.toLowerCase().includes(kw));
    return match ? [rosterHit(uid)] : [];
  });
  const rosterArr = [...friends, ...r.rosterArr.filter((h) => h.content !== undefined).map((h) => rosterHit(String(h.user_id), h.content))];
  const info = groupCache(go).all();
  const named = Object.keys(info).sort(byId).flatMap((gid) => {
    const name = info[gid]!.name;
    return typeof name === "string" && name.toLowerCase().includes(kw) ? [{ group_id: gid.length < 16 ? Number(gid) : gid, name }] : [];
  });
  const hits = r.groupArr.filter((h) => h.content !== undefined).map((h) => {
    const name = info[String(h.group_id)]?.name;
    return { group_id: h.group_id, name: typeof name === "string" ? name : "", content: h.content };
  });
  return { rosterArr, groupArr: [...named, ...hits] };
}
