// The manager methods implemented in TypeScript over the engine's generic REST entry, by manager.
// makeManager (../managers.ts) puts them in place of the Go methods of the same names.

import { register, sysAccountMethods, userMethods, fetchProfile } from "./user.js";
import { asyncMethod, Session, syncMethod, type Impl, type Runner } from "./session.js";
import { applyGroupNotice, groupMethods, groupReads } from "./group.js";

import type { GoClient } from "../types/bridge.js";
import { FlooError } from "../errors.js";
import { groupCache } from "./group.js";

export { Session } from "./session.js";
export type { Runner } from "./session.js";

type Methods = Record<string, (...args: unknown[]) => unknown>;

function wrap(runner: Runner, mgr: string, impls: Record<string, Impl>): Methods {
  const out: Methods = {};
  for (const [name, impl] of Object.entries(impls)) out[name] = asyncMethod(runner, mgr, name, impl);
  return out;
}

/** The TypeScript methods of every manager, sharing the caches of session. */
export function tsMethods(runner: Runner, session: Session): Record<"userManage" | "rosterManage" | "groupManage" | "sysManage", Methods> {
  const reads = groupReads(session);
  return {
    userManage: wrap(runner, "userManage", userMethods(session)),
    rosterManage: wrap(runner, "rosterManage", {
      asyncRegester: register("/user/register/v2"),
      asyncGetUserProfile: (a, go) => {
        const force = a.flag(a.arg(0), "force");
        const cached = session.current(go).profile;
        if (!force && cached !== undefined) return cached;
        return fetchProfile(session, go);
      },
    }),
    groupManage: {
      ...wrap(runner, "groupManage", groupMethods(session, runner)),
      getAllGroupDetail: syncMethod(runner, "groupManage", "getAllGroupDetail", reads.getAllGroupDetail, () => ({})),
      getGroupMembers: syncMethod(runner, "groupManage", "getGroupMembers", reads.getGroupMembers, () => []),
    },
    sysManage: {
      ...wrap(runner, "sysManage", sysAccountMethods),
      makeSearch: (...args: unknown[]) => {
        const go = runner.go();
        if (!go) return { rosterArr: [], groupArr: [] };
        const r = (go.sysManage as Record<string, (...a: unknown[]) => unknown>).makeSearch!(...args);
        if (r instanceof FlooError) throw r;
        return searchGroups(session, go, String(args[0] ?? ""), r as SearchResult);
      },
    },
  };
}

/**
 * Updates the caches of the TypeScript managers from a batch of engine events, before the
 * listeners see any of them: the engine emits onGroupMemberChanged and onGroupListUpdate before
 * the group notice event that says what changed.
 */
export function observe(session: Session, go: GoClient, batch: Array<[string, unknown]>): void {
  for (const [, payload] of batch) applyGroupNotice(session, go, payload);
}

interface SearchResult {
  rosterArr: unknown[];
  groupArr: Array<{ group_id: number | string; name: string; content?: string }>;
}

/**
 * Completes the engine's search (friends and message hits) with the groups of the TypeScript
 * cache: the groups whose name contains the keyword, in id order, then the engine's message hits
 * in groups, named from the cache.
 */
function searchGroups(s: Session, go: GoClient, keyword: string, r: SearchResult): SearchResult {
  const kw = keyword.trim().toLowerCase();
  if (kw === "") return r;
  const info = groupCache(s, go).info;
  const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const named = [...info.keys()].sort(byId).flatMap((gid) => {
    const name = info.get(gid)!.name;
    return typeof name === "string" && name.toLowerCase().includes(kw) ? [{ group_id: gid.length < 16 ? Number(gid) : gid, name }] : [];
  });
  const hits = r.groupArr.filter((h) => h.content !== undefined).map((h) => {
    const name = info.get(String(h.group_id))?.name;
    return typeof name === "string" ? { ...h, name } : h;
  });
  return { rosterArr: r.rosterArr, groupArr: [...named, ...hits] };
}
