// The manager methods implemented in TypeScript over the engine's generic REST entry, by manager.
// makeManager (../managers.ts) puts them in place of the Go methods of the same names.

import { register, sysAccountMethods, userMethods, fetchProfile } from "./user.js";
import { asyncMethod, Session, type Impl, type Runner } from "./session.js";

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
    groupManage: wrap(runner, "groupManage", {}),
    sysManage: wrap(runner, "sysManage", sysAccountMethods),
  };
}
