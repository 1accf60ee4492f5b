// The SDK's local store in browsers: one IndexedDB database per origin ("floo-store"), one object
// store of records keyed by [user, kind, aHi, aLo, bHi, bLo], where user is "<appid>/<uid>" and
// the 64-bit ids are split into exact 32-bit halves (numbers beyond 2^53 would round); arrays of
// numbers sort as the ids do, so a user's records, a conversation's messages and their order are
// key ranges. One readwrite transaction per apply: all of it or none.
//
// The schema version is the database version (VERSION); onupgradeneeded migrates from older ones.
// A database of a newer version (a newer SDK ran in this origin) fails to open with VersionError:
// the load rejects, the engine reports it once and keeps its data in memory, and the database is
// left untouched. A database that is not ours or cannot be opened otherwise (the object store
// missing, an UnknownError) is deleted and created anew; the load rejects with reset: true, which
// the engine reports once (ErrStoreReset) before using the new database. When the origin's quota
// is exceeded, the oldest half of the user's messages is deleted (never the outbox) and the
// batch written again; the apply still rejects, so that the engine reports the quota once.

import type { LocalStore, LocalStoreBatch } from "../types.js";
import { decodeDrop, decodeRecords, encodeRecords, isQuotaError, MESSAGE, resetError } from "./records.js";

const VERSION = 1;
const RECORDS = "records";

type Key = [string, number, number, number, number, number];

const req = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((ok, fail) => {
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((ok, fail) => {
    tx.oncomplete = () => ok();
    tx.onerror = tx.onabort = () => fail(tx.error ?? new DOMException("transaction aborted", "AbortError"));
  });

/** The keys of user's records of kind (and a, when given): [user, kind, ...] to [user, kind, ..., []]. */
const range = (user: string, ...prefix: number[]) => IDBKeyRange.bound([user, ...prefix], [user, ...prefix, []]);

/**
 * An IndexedDB local store, or undefined where IndexedDB is missing (Node, some private modes).
 * `name` is the database's name.
 */
export function indexedDBStore(name = "floo-store", factory?: IDBFactory): LocalStore | undefined {
  const idb = factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return undefined;
  let db: Promise<IDBDatabase> | undefined;

  const open = (): Promise<IDBDatabase> => {
    const r = idb.open(name, VERSION);
    r.onupgradeneeded = (ev) => {
      // Migrations from ev.oldVersion go here; version 1 is the first schema.
      if (ev.oldVersion < 1) r.result.createObjectStore(RECORDS);
    };
    return req(r).then((d) => {
      // Another tab deleting or upgrading the database closes this connection.
      d.onversionchange = () => {
        d.close();
        db = undefined;
      };
      if (!d.objectStoreNames.contains(RECORDS)) {
        d.close();
        throw new DOMException("the database has no " + RECORDS + " store", "DataError");
      }
      return d;
    });
  };

  const connect = (): Promise<IDBDatabase> => {
    if (!db) {
      db = open().catch(async (err) => {
        db = undefined;
        if ((err as Error)?.name === "VersionError" || isQuotaError(err)) throw err;
        // Not readable as ours: start anew. What it held cannot be read anyway.
        await req(idb.deleteDatabase(name));
        db = open();
        await db;
        throw resetError("IndexedDB " + name + " was unreadable and was recreated", err);
      });
    }
    return db;
  };

  const write = async (user: string, batch: LocalStoreBatch, recs = decodeRecords(batch.records)) => {
    const tx = (await connect()).transaction(RECORDS, "readwrite");
    const finished = done(tx);
    try {
      const st = tx.objectStore(RECORDS);
      for (const c of decodeDrop(batch)) st.delete(range(user, MESSAGE, ...c));
      const touched = new Map<string, number[]>();
      for (const { k, v } of recs) {
        const key: Key = [user, ...k];
        if (v) st.put(v, key);
        else st.delete(key);
        if (k[0] === MESSAGE) touched.set(k[1] + "/" + k[2], [k[1], k[2]]);
      }
      if (batch.keep > 0) {
        for (const c of touched.values()) {
          const keys = (await req(st.getAllKeys(range(user, MESSAGE, ...c)))) as Key[];
          for (const key of keys.slice(0, Math.max(0, keys.length - batch.keep))) st.delete(key);
        }
      }
    } catch (err) {
      try {
        tx.abort();
      } catch {}
      finished.catch(() => {});
      throw err;
    }
    await finished;
  };

  /** Deletes the oldest half of user's messages, by message id (ids grow with time). */
  const evict = async (user: string) => {
    const tx = (await connect()).transaction(RECORDS, "readwrite");
    const st = tx.objectStore(RECORDS);
    const keys = (await req(st.getAllKeys(range(user, MESSAGE)))) as Key[];
    keys.sort((x, y) => x[4] - y[4] || x[5] - y[5]);
    for (const key of keys.slice(0, Math.ceil(keys.length / 2))) st.delete(key);
    await done(tx);
  };

  return {
    async load(user) {
      const tx = (await connect()).transaction(RECORDS, "readonly");
      const st = tx.objectStore(RECORDS);
      const [keys, values] = await Promise.all([req(st.getAllKeys(range(user))), req(st.getAll(range(user)))]);
      const recs: Array<{ k: number[]; v: Uint8Array }> = [];
      keys.forEach((key, i) => {
        const v = values[i];
        // A value of another shape is not ours: skipped, as the engine skips unknown encodings.
        if (v instanceof Uint8Array) recs.push({ k: (key as Key).slice(1) as number[], v });
      });
      return recs.length ? encodeRecords(recs) : null;
    },
    async apply(user, batch) {
      const recs = decodeRecords(batch.records);
      try {
        await write(user, batch, recs);
      } catch (err) {
        if (!isQuotaError(err)) throw err;
        await evict(user);
        await write(user, batch, recs);
        throw err;
      }
    },
    async wipe(user) {
      const tx = (await connect()).transaction(RECORDS, "readwrite");
      tx.objectStore(RECORDS).delete(range(user));
      await done(tx);
    },
  };
}
