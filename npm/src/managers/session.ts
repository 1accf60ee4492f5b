// What the TypeScript managers share: the session (the user's profile; the roster and group caches
// are the engine's, docs/localstore.md "Who owns what") and the wrapper that turns
// an implementation into an official asynchronous method.

import type { GoClient } from "../types/bridge.js";
import { Args } from "./args.js";

/**
 * The implementation of an asynchronous manager method. It reads its arguments (a bad one throws
 * an InvalidParam FlooError) before it starts any I/O, and returns the method's result or a Promise of it.
 */
export type Impl = (a: Args, go: GoClient) => unknown;

/** The caches of one session. */
export interface SessionCache {
  /** The user the caches belong to. */
  readonly uid: string;
  /** The user's profile, undefined until fetched. */
  profile: unknown;
}

/**
 * The caches of the managers, for the session of one user: when the engine reports another user
 * (or none), they start empty, so that a new login never sees the previous session's data.
 */
export class Session {
  #cache: SessionCache | undefined;

  /** The caches of the current session (a fresh set after a change of user). */
  current(go: GoClient): SessionCache {
    const uid = String(go.userManage.getUid() ?? "");
    if (!this.#cache || this.#cache.uid !== uid) this.#cache = { uid, profile: undefined };
    return this.#cache;
  }

  /** Forgets everything (logout). */
  reset(): void {
    this.#cache = undefined;
  }
}

/** What the asynchronous methods need from the client. */
export interface Runner {
  /** Runs fn once the Go client is ready; rejects when the client is closed. */
  call<T>(fn: (go: GoClient) => Promise<T> | T): Promise<T>;
  /** The Go client once it runs; undefined before, and after close. */
  go(): GoClient | undefined;
  /** Delivers an event to the application's listeners. */
  emit(name: string, payload: unknown): void;
  /** True once the client was closed. */
  closed(): boolean;
}

/**
 * Builds the synchronous official method `mgr.name` over impl: before the engine runs (and after
 * close) it answers fallback(); a bad argument throws.
 */
export function syncMethod(runner: Runner, mgr: string, name: string, impl: Impl, fallback: () => unknown): (...args: unknown[]) => unknown {
  const where = `${mgr}.${name}`;
  return (...args) => {
    const go = runner.go();
    return go ? impl(new Args(where, args), go) : fallback();
  };
}

/** Builds the official method `mgr.name` over impl: arguments are checked once the engine runs, and the result is a Promise. */
export function asyncMethod(runner: Runner, mgr: string, name: string, impl: Impl): (...args: unknown[]) => Promise<unknown> {
  const where = `${mgr}.${name}`;
  return (...args) => runner.call((go) => impl(new Args(where, args), go) as Promise<unknown>);
}
