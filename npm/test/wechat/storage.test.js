// The wx storage local store (src/storage/wechat.ts) on a fake wx storage: the byte format both
// ways with ids beyond 2^53, Keep, Drop, and what an apply guarantees when wx storage fails in the
// middle of it or the mini-program dies between its writes. The whole SDK on it: store.test.js.

import { test } from "node:test";
import assert from "node:assert/strict";

import { wxLocalStore } from "../../dist/wechat.js";

/** A wx storage in a Map, as JSON strings; failAt(n) makes the n-th next setStorageSync throw. */
function fakeWx() {
  const m = new Map();
  let countdown = -1;
  return {
    m,
    failAt(n) {
      countdown = n;
    },
    getStorageSync: (k) => (m.has(k) ? JSON.parse(m.get(k)) : ""),
    setStorageSync(k, v) {
      if (countdown >= 0 && countdown-- === 0) throw new Error("setStorageSync:fail exceed storage max size 10MB");
      m.set(k, JSON.stringify(v));
    },
    removeStorageSync: (k) => m.delete(k),
    getStorageInfoSync: () => ({ keys: [...m.keys()] }),
  };
}

/** Encodes records [kind, a, b, value|null] (a, b as BigInt) in the adapter's format. */
function encode(recs) {
  const parts = [];
  for (const [kind, a, b, v] of recs) {
    const h = new DataView(new ArrayBuffer(21));
    h.setUint8(0, kind);
    h.setBigUint64(1, a);
    h.setBigUint64(9, b);
    h.setUint32(17, v === null ? 0xffffffff : v.length);
    parts.push(new Uint8Array(h.buffer), ...(v === null ? [] : [new TextEncoder().encode(v)]));
  }
  return Buffer.concat(parts);
}

/** Decodes a load into sorted strings "kind/a/b=value". */
function decode(buf) {
  if (!buf) return [];
  const out = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o < buf.length; ) {
    const n = dv.getUint32(o + 17);
    out.push(`${dv.getUint8(o)}/${dv.getBigUint64(o + 1)}/${dv.getBigUint64(o + 9)}=${new TextDecoder().decode(buf.subarray(o + 21, o + 21 + n))}`);
    o += 21 + n;
  }
  return out.sort();
}

const batch = (recs, { drop = [], keep = 0 } = {}) => {
  const d = new DataView(new ArrayBuffer(8 * drop.length));
  drop.forEach((c, i) => d.setBigUint64(8 * i, c));
  return { drop: new Uint8Array(d.buffer), records: encode(recs), keep };
};

const BIG = (1n << 63n) + 5n;

test("records round-trip with 64-bit ids; Keep keeps the newest; Drop empties a conversation", async () => {
  const wx = fakeWx();
  const s = wxLocalStore(wx);
  assert.equal(s.messages, 50);
  assert.equal(await s.load("app/1"), null);
  await s.apply("app/1", batch([[1, BIG, 0n, "conv"], [3, BIG, BIG, "m-big"], [3, BIG, 1n, "m-1"], [3, BIG, 2n, "m-2"], [3, 7n, 1n, "other"], [5, 0n, BIG + 1n, "out"]], { keep: 2 }));
  assert.deepEqual(decode(await s.load("app/1")), [`1/${BIG}/0=conv`, `3/${BIG}/2=m-2`, `3/${BIG}/${BIG}=m-big`, "3/7/1=other", `5/0/${BIG + 1n}=out`].sort());
  await s.apply("app/1", batch([[3, 7n, 2n, "kept"], [5, 0n, BIG + 1n, null]], { drop: [7n, BIG] }));
  assert.deepEqual(decode(await s.load("app/1")), [`1/${BIG}/0=conv`, "3/7/2=kept"]);
  assert.equal(await wxLocalStore(wx).load("app/2"), null, "another user sees nothing");
  await s.wipe("app/1");
  assert.deepEqual([...wx.m.keys()], []);
});

test("an apply that fails half way leaves the previous state; a dead one is cleaned up by the next load", async () => {
  const wx = fakeWx();
  const s = wxLocalStore(wx);
  await s.apply("app/1", batch([[1, 1n, 0n, "c1"], [3, 1n, 1n, "a"], [3, 2n, 1n, "b"]]));
  const before = decode(await s.load("app/1"));
  const keys = [...wx.m.keys()].sort();
  // A message shard's write fails after the conversation shard was written (not a quota error:
  // no eviction): nothing of the batch is visible.
  wx.setStorageSync = ((set) =>
    function (k, v) {
      if (k.includes("/3.")) throw new Error("setStorageSync:fail disk full");
      return set.call(this, k, v);
    })(wx.setStorageSync);
  await assert.rejects(s.apply("app/1", batch([[1, 1n, 0n, "c1 new"], [3, 1n, 2n, "new"], [3, 2n, 2n, "new"]])));
  assert.deepEqual(decode(await s.load("app/1")), before);
  assert.deepEqual([...wx.m.keys()].sort(), keys, "the shards it wrote were removed");

  // A mini-program killed after writing a shard and before the index: the next load ignores the
  // shard and removes it.
  wx.m.set("floo-store/app/1/99/3.0.1", JSON.stringify("AAAA"));
  assert.deepEqual(decode(await s.load("app/1")), before);
  assert.equal(wx.m.has("floo-store/app/1/99/3.0.1"), false);
});

test("a quota error evicts the oldest messages, keeps the outbox, writes the batch and rejects once", async () => {
  const wx = fakeWx();
  const s = wxLocalStore(wx);
  const recs = [[5, 0n, 1n, "outbox"]];
  for (let i = 1n; i <= 10n; i++) recs.push([3, 1n, i, `m${i}`]);
  await s.apply("app/1", batch(recs));
  wx.failAt(0);
  await assert.rejects(s.apply("app/1", batch([[3, 1n, 11n, "m11"]])), /exceed/);
  const got = decode(await s.load("app/1"));
  assert.ok(got.includes("5/0/1=outbox"), "the outbox stays");
  assert.ok(got.includes("3/1/11=m11"), "the batch was written");
  assert.ok(!got.includes("3/1/1=m1") && got.includes("3/1/10=m10"), `the oldest went first: ${got}`);
});
