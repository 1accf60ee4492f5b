// A storage kept in memory, in a module of its own: the WeChat entry exports it without taking
// the browser transports along.

import type { KeyValueStorage } from "../types.js";

/** A storage kept in memory: nothing survives a reload. */
export function memoryStorage(): KeyValueStorage {
  const m = new Map<string, string>();
  return {
    get: (key) => m.get(key) ?? null,
    set: (key, value) => {
      m.set(key, value);
    },
    remove: (key) => {
      m.delete(key);
    },
  };
}
