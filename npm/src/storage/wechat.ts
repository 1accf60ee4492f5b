// The SDK's local store in WeChat mini-programs, over wx.getStorageSync / setStorageSync /
// removeStorageSync (10 MB per mini-program and user, 1 MB per key). A user's records are split
// into shards, one storage key each: one per kind, and the messages one per conversation. A shard
// is the records in the adapter's byte format (records.ts), base64-encoded (wx storage keeps
// strings as JSON; ArrayBuffers are not kept by every version).
//
// What an apply guarantees: all of it or none, as far as wx storage allows. Each apply writes the
// shards it changes under new keys (a generation number in the key), then the user's index key,
// which names the current key of every shard, and only then removes the shards it replaced. A
// single setStorageSync replaces a key's value whole, so the index write is the commit point: a
// mini-program killed before it leaves the previous index and shards in place (the new shard keys
// are removed by the next load); killed after it, the old shards are removed by the next load.
// wx storage does not say when a write reaches the disk, so the last applies before a crash of
// the phone may be lost as a whole, never in part.
//
// The index holds the schema version (VERSION): an index of a newer version is left untouched and
// the load rejects (memory only for the session). An index or shard that does not parse is
// removed with all the user's keys, and the load rejects with reset: true. When the quota is
// exceeded, the oldest half of the user's messages goes (never the outbox) and the batch is
// written again; the apply still rejects, so that the engine reports the quota once.

import type { LocalStore, LocalStoreBatch } from "../types.js";
import type { WxApi } from "../transports/wechat.js";
import { compareKeys, decodeDrop, decodeRecords, encodeRecords, isQuotaError, MESSAGE, resetError, type RecordKey } from "./records.js";

const VERSION = 1;
const PREFIX = "floo-store/";

/** The user's index: version, generation, and the current key of each shard. */
interface Index {
  v: number;
  g: number;
  s: Record<string, string>;
}

type Shard = Map<string, { k: RecordKey; v: Uint8Array }>;

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < b.length ? B64[n & 63] : "=");
  }
  return s;
}

function fromBase64(s: string): Uint8Array {
  if (s.length % 4) throw new Error("bad base64");
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = s[i + j] === "=" ? 0 : B64.indexOf(s[i + j]);
      if (c < 0) throw new Error("bad base64");
      n = (n << 6) | c;
    }
    for (let j = 0; j < 3 && o < out.length; j++) out[o++] = (n >> (16 - 8 * j)) & 255;
  }
  return out;
}

/** The shard of a record: its kind, and for messages the conversation. */
const shardOf = (k: RecordKey) => (k[0] === MESSAGE ? MESSAGE + "." + k[1] + "." + k[2] : String(k[0]));

/**
 * A wx storage local store keeping `messages` messages per conversation (default 50: the 10 MB
 * are shared with the app). `wxApi` defaults to the global `wx`.
 */
export function wxLocalStore(wxApi?: WxApi, messages = 50): LocalStore {
  const wx = (): WxApi => wxApi ?? (globalThis as { wx?: WxApi }).wx!;
  const base = (user: string) => PREFIX + user;
  const userKeys = (user: string): string[] => {
    const info = wx().getStorageInfoSync?.();
    return (info?.keys ?? []).filter((k) => k.startsWith(base(user) + "/") || k === base(user));
  };

  /** The user's index, or undefined; throws when it is not one. */
  const readIndex = (user: string): Index | undefined => {
    const raw = wx().getStorageSync(base(user));
    if (raw === "" || raw == null) return undefined;
    const ix = (typeof raw === "string" ? JSON.parse(raw) : raw) as Index;
    if (!ix || typeof ix.v !== "number" || typeof ix.s !== "object") throw new Error("not an index");
    if (ix.v > VERSION) {
      const e = new Error(`wx storage holds the local store of a newer version (${ix.v} > ${VERSION})`);
      e.name = "VersionError";
      throw e;
    }
    return ix;
  };

  const readShard = (key: string): Shard => {
    const raw = wx().getStorageSync(key);
    if (typeof raw !== "string") throw new Error("shard " + key + " is missing");
    const m: Shard = new Map();
    for (const r of decodeRecords(fromBase64(raw))) if (r.v) m.set(r.k.join(), { k: r.k, v: r.v });
    return m;
  };

  const wipe = (user: string) => {
    for (const k of userKeys(user)) wx().removeStorageSync(k);
  };

  /** Writes the changed shards and then the index; on failure removes what it wrote. */
  const commit = (user: string, ix: Index, changed: Map<string, Shard>) => {
    const g = ix.g + 1;
    const next: Index = { v: VERSION, g, s: { ...ix.s } };
    const written: string[] = [];
    try {
      for (const [name, shard] of changed) {
        if (shard.size === 0) {
          delete next.s[name];
          continue;
        }
        const key = base(user) + "/" + g + "/" + name;
        wx().setStorageSync(key, toBase64(encodeRecords([...shard.values()])));
        written.push(key);
        next.s[name] = key;
      }
      wx().setStorageSync(base(user), JSON.stringify(next));
    } catch (err) {
      for (const k of written) wx().removeStorageSync(k);
      throw err;
    }
    for (const name of changed.keys()) if (ix.s[name] && ix.s[name] !== next.s[name]) wx().removeStorageSync(ix.s[name]);
  };

  const write = (user: string, batch: LocalStoreBatch) => {
    const ix = readIndex(user) ?? { v: VERSION, g: 0, s: {} };
    const changed = new Map<string, Shard>();
    const shard = (name: string): Shard => {
      let m = changed.get(name);
      if (!m) changed.set(name, (m = ix.s[name] ? readShard(ix.s[name]) : new Map()));
      return m;
    };
    for (const [hi, lo] of decodeDrop(batch)) changed.set(MESSAGE + "." + hi + "." + lo, new Map());
    for (const { k, v } of decodeRecords(batch.records)) {
      const m = shard(shardOf(k));
      if (v) m.set(k.join(), { k, v });
      else m.delete(k.join());
    }
    if (batch.keep > 0) {
      for (const [name, m] of changed) {
        if (!name.startsWith(MESSAGE + ".") || m.size <= batch.keep) continue;
        const old = [...m.values()].sort((x, y) => compareKeys(x.k.slice(3), y.k.slice(3)));
        for (const r of old.slice(0, m.size - batch.keep)) m.delete(r.k.join());
      }
    }
    commit(user, ix, changed);
  };

  /** Removes the oldest half of user's messages, by message id. */
  const evict = (user: string) => {
    const ix = readIndex(user);
    if (!ix) return;
    const shards = new Map<string, Shard>();
    const all: Array<[string, { k: RecordKey }]> = [];
    for (const name of Object.keys(ix.s)) {
      if (!name.startsWith(MESSAGE + ".")) continue;
      const m = readShard(ix.s[name]);
      shards.set(name, m);
      for (const r of m.values()) all.push([name, r]);
    }
    all.sort((x, y) => compareKeys(x[1].k.slice(3), y[1].k.slice(3)));
    for (const [name, r] of all.slice(0, Math.ceil(all.length / 2))) shards.get(name)!.delete(r.k.join());
    // The removal of the old shards is what frees space: write the index first when the new
    // shards do not fit.
    try {
      commit(user, ix, shards);
    } catch {
      for (const name of shards.keys()) {
        wx().removeStorageSync(ix.s[name]);
        delete ix.s[name];
      }
      wx().setStorageSync(base(user), JSON.stringify(ix));
    }
  };

  return {
    messages,
    async load(user) {
      let ix: Index | undefined;
      const recs: Array<{ k: RecordKey; v: Uint8Array }> = [];
      try {
        ix = readIndex(user);
        for (const key of Object.values(ix?.s ?? {})) recs.push(...readShard(key).values());
      } catch (err) {
        if ((err as Error).name === "VersionError") throw err;
        wipe(user);
        throw resetError("the local store in wx storage was unreadable and was removed", err);
      }
      // Keys of an apply that did not commit, or replaced by one that did not finish.
      const live = new Set([base(user), ...Object.values(ix?.s ?? {})]);
      for (const k of userKeys(user)) if (!live.has(k)) wx().removeStorageSync(k);
      return recs.length ? encodeRecords(recs) : null;
    },
    async apply(user, batch) {
      try {
        write(user, batch);
      } catch (err) {
        if (!isQuotaError(err)) throw err;
        evict(user);
        write(user, batch);
        throw err;
      }
    },
    async wipe(user) {
      wipe(user);
    },
  };
}
