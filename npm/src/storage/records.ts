// The byte format in which jsbridge's LocalStore adapter (jsbridge/localstore_js.go) hands records
// to the JavaScript stores and takes them back: per record, the kind (1 byte), a and b (8 bytes
// each, big-endian), the value's length (4 bytes; 0xFFFFFFFF in a batch deletes the record) and
// the value. The 64-bit ids a and b are read as two exact 32-bit halves, so nothing here rounds
// an id beyond 2^53. The values are the engine's own encoding: opaque bytes to the stores.

import type { LocalStoreBatch } from "../types.js";

/** A record's key: [kind, aHi, aLo, bHi, bLo]. Arrays of numbers sort as the ids do. */
export type RecordKey = [number, number, number, number, number];

/** A record of a batch; a null value deletes it. */
export interface StoreRecord {
  k: RecordKey;
  v: Uint8Array | null;
}

/** Kind of the message records, whose key is (conversation, message id). */
export const MESSAGE = 3;

const HEAD = 21;
const DELETE = 0xffffffff;

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The records of a batch, in order. */
export function decodeRecords(b: Uint8Array): StoreRecord[] {
  const dv = view(b);
  const out: StoreRecord[] = [];
  for (let o = 0; o + HEAD <= b.length; ) {
    const k: RecordKey = [dv.getUint8(o), dv.getUint32(o + 1), dv.getUint32(o + 5), dv.getUint32(o + 9), dv.getUint32(o + 13)];
    const n = dv.getUint32(o + 17);
    o += HEAD;
    if (n === DELETE) {
      out.push({ k, v: null });
    } else {
      out.push({ k, v: b.slice(o, o + n) });
      o += n;
    }
  }
  return out;
}

/** The conversation ids of a batch's drop list, as [hi, lo] pairs. */
export function decodeDrop(batch: LocalStoreBatch): Array<[number, number]> {
  const dv = view(batch.drop);
  const out: Array<[number, number]> = [];
  for (let o = 0; o + 8 <= dv.byteLength; o += 8) out.push([dv.getUint32(o), dv.getUint32(o + 4)]);
  return out;
}

/** Encodes records for a load. */
export function encodeRecords(recs: Array<{ k: ArrayLike<number>; v: Uint8Array }>): Uint8Array {
  let n = 0;
  for (const r of recs) n += HEAD + r.v.length;
  const out = new Uint8Array(n);
  const dv = view(out);
  let o = 0;
  for (const r of recs) {
    dv.setUint8(o, r.k[0]);
    for (let i = 1; i < 5; i++) dv.setUint32(o + 4 * i - 3, r.k[i]);
    dv.setUint32(o + 17, r.v.length);
    out.set(r.v, o + HEAD);
    o += HEAD + r.v.length;
  }
  return out;
}

/** Compares two keys (or key suffixes) as the ids they hold. */
export function compareKeys(x: ArrayLike<number>, y: ArrayLike<number>): number {
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** An error that tells jsbridge the store reset itself (core.ErrStoreReset). */
export function resetError(message: string, cause?: unknown): Error {
  const e = new Error(message, cause === undefined ? undefined : { cause });
  (e as Error & { reset?: boolean }).reset = true;
  return e;
}

/** Whether err is a storage quota error (QuotaExceededError, wx's "exceed ... max size"). */
export function isQuotaError(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown } | null;
  return !!e && (e.name === "QuotaExceededError" || /exceed|quota/i.test(String(e.message)));
}
