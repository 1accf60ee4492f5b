package jsbridge

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/storetest"
)

// jsMapStore is a JavaScript store over a Map of users to Maps of record
// keys, decoding and encoding the adapter's byte format as the npm stores
// do (npm/src/storage/records.ts), so that the suite checks the format
// from both sides. Keys are "kind/aHi/aLo/bHi/bLo"; Keep sorts by b.
const jsMapStore = `
const users = new Map();
const hex = (dv, o) => dv.getUint32(o).toString(16).padStart(8, "0");
const keyOf = (dv, o) => dv.getUint8(o) + "/" + hex(dv, o + 1) + hex(dv, o + 5) + "/" + hex(dv, o + 9) + hex(dv, o + 13);
const store = {
	calls: 0,
	failNext: null,
	async load(user) {
		store.calls++;
		if (store.failNext) { const e = store.failNext; store.failNext = null; throw e; }
		const m = users.get(user);
		if (!m) return null;
		const parts = [];
		let n = 0;
		for (const [k, v] of m) {
			const [kind, a, b] = k.split("/");
			const head = new Uint8Array(21);
			const dv = new DataView(head.buffer);
			dv.setUint8(0, +kind);
			for (let i = 0; i < 4; i++) {
				dv.setUint32(1 + 4 * i, parseInt((i < 2 ? a : b).slice((i % 2) * 8, (i % 2) * 8 + 8), 16));
			}
			dv.setUint32(17, v.length);
			parts.push(head, v);
			n += 21 + v.length;
		}
		const out = new Uint8Array(n);
		let o = 0;
		for (const p of parts) { out.set(p, o); o += p.length; }
		return out;
	},
	async apply(user, batch) {
		store.calls++;
		let m = users.get(user);
		if (!m) users.set(user, (m = new Map()));
		const d = new DataView(batch.drop.buffer, batch.drop.byteOffset, batch.drop.byteLength);
		for (let o = 0; o < d.byteLength; o += 8) {
			const conv = hex(d, o) + hex(d, o + 4);
			for (const k of [...m.keys()]) if (k.startsWith("3/" + conv + "/")) m.delete(k);
		}
		const r = batch.records;
		const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
		const touched = new Set();
		for (let o = 0; o < r.length; ) {
			const k = keyOf(dv, o);
			const n = dv.getUint32(o + 17);
			o += 21;
			if (n === 0xffffffff) { m.delete(k); continue; }
			m.set(k, r.slice(o, o + n));
			o += n;
			if (k.startsWith("3/")) touched.add(k.split("/")[1]);
		}
		if (batch.keep > 0) {
			for (const conv of touched) {
				const ks = [...m.keys()].filter((k) => k.startsWith("3/" + conv + "/")).sort();
				for (const k of ks.slice(0, Math.max(0, ks.length - batch.keep))) m.delete(k);
			}
		}
	},
	async wipe(user) { store.calls++; users.delete(user); },
};
return store;
`

func TestLocalStoreAdapter(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.LocalStore {
		s, err := NewLocalStore(jsEval(t, jsMapStore))
		require.NoError(t, err)
		return s
	}, func(t *testing.T, s core.LocalStore) core.LocalStore {
		// The same JavaScript object, as a new page would reopen the database.
		s2, err := NewLocalStore(s.(*LocalStore).obj)
		require.NoError(t, err)
		return s2
	})
}

func TestLocalStoreAdapterErrors(t *testing.T) {
	_, err := NewLocalStore(jsEval(t, `return {load() {}, apply() {}}`))
	require.Error(t, err, "a store without wipe")

	obj := jsEval(t, jsMapStore)
	s, err := NewLocalStore(obj)
	require.NoError(t, err)

	// A plain rejection is the store's error, not a reset.
	obj.Set("failNext", jsEval(t, `const e = new Error("newer schema"); e.name = "VersionError"; return e`))
	_, err = s.Load("app/1")
	var je *JSError
	require.ErrorAs(t, err, &je)
	require.Equal(t, "VersionError", je.Name)
	require.False(t, errors.Is(err, core.ErrStoreReset))

	// A rejection with reset: true wraps core.ErrStoreReset.
	obj.Set("failNext", jsEval(t, `const e = new Error("set aside"); e.reset = true; return e`))
	_, err = s.Load("app/1")
	require.True(t, errors.Is(err, core.ErrStoreReset), "%v", err)
	require.ErrorAs(t, err, &je)

	// A throwing method is an error, not a panic.
	obj.Set("wipe", jsEval(t, `return () => { throw new TypeError("boom") }`))
	require.Error(t, s.Wipe("app/1"))

	// A truncated load is an error with the records before it.
	obj.Set("load", jsEval(t, `return async () => new Uint8Array([3, 0,0,0,0,0,0,0,1, 0,0,0,0,0,0,0,2, 0,0,0,1, 9, 3, 0])`))
	recs, err := s.Load("app/1")
	require.Error(t, err)
	require.Equal(t, []core.StoreRecord{{Kind: core.StoreMessage, A: 1, B: 2, Value: []byte{9}}}, recs)
}
