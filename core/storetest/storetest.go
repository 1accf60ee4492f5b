// Package storetest is the conformance suite of core.LocalStore: every
// implementation (core.MemoryStore, the native SQLite store, and the
// JavaScript ones through their Go adapters) must pass Run.
package storetest

import (
	"bytes"
	"sort"
	"testing"

	"github.com/flooim/floo/core"
)

// Run runs the suite. open returns a new, empty store; reopen, when not
// nil, returns the same store as a new process would open it (after the
// one given has been used), to check that records survive.
func Run(t *testing.T, open func(t *testing.T) core.LocalStore, reopen func(t *testing.T, s core.LocalStore) core.LocalStore) {
	t.Run("Empty", func(t *testing.T) {
		s := open(t)
		recs, err := s.Load("app/1")
		if err != nil || len(recs) != 0 {
			t.Fatalf("Load of a new store = %v, %v; want nothing", recs, err)
		}
	})
	t.Run("PutReplaceDelete", func(t *testing.T) {
		s := open(t)
		apply(t, s, "app/1", &core.StoreBatch{Records: []core.StoreRecord{
			{Kind: core.StoreConversation, A: 7, Value: []byte("c7")},
			{Kind: core.StoreMessage, A: 7, B: 100, Value: []byte("m100")},
			{Kind: core.StoreMessage, A: 7, B: 101, Value: []byte("m101")},
			{Kind: core.StoreOutbox, B: 1 << 52, Value: []byte("o")},
		}})
		apply(t, s, "app/1", &core.StoreBatch{Records: []core.StoreRecord{
			{Kind: core.StoreMessage, A: 7, B: 100, Value: []byte("m100 edited")},
			{Kind: core.StoreMessage, A: 7, B: 101},       // delete
			{Kind: core.StoreUnread, A: 8},                // delete of nothing
			{Kind: core.StoreSeen, A: 7, Value: []byte{}}, // an empty value is a value
		}})
		want := []core.StoreRecord{
			{Kind: core.StoreConversation, A: 7, Value: []byte("c7")},
			{Kind: core.StoreMessage, A: 7, B: 100, Value: []byte("m100 edited")},
			{Kind: core.StoreSeen, A: 7, Value: []byte{}},
			{Kind: core.StoreOutbox, B: 1 << 52, Value: []byte("o")},
		}
		check(t, load(t, s, "app/1"), want)
		if reopen != nil {
			check(t, load(t, reopen(t, s), "app/1"), want)
		}
	})
	t.Run("Namespaces", func(t *testing.T) {
		s := open(t)
		apply(t, s, "app/1", &core.StoreBatch{Records: []core.StoreRecord{{Kind: core.StoreConversation, A: 2, Value: []byte("of 1")}}})
		apply(t, s, "app/2", &core.StoreBatch{Records: []core.StoreRecord{{Kind: core.StoreConversation, A: 1, Value: []byte("of 2")}}})
		apply(t, s, "other/1", &core.StoreBatch{Records: []core.StoreRecord{{Kind: core.StoreConversation, A: 9, Value: []byte("other app")}}})
		check(t, load(t, s, "app/1"), []core.StoreRecord{{Kind: core.StoreConversation, A: 2, Value: []byte("of 1")}})
		check(t, load(t, s, "app/2"), []core.StoreRecord{{Kind: core.StoreConversation, A: 1, Value: []byte("of 2")}})
		if err := s.Wipe("app/1"); err != nil {
			t.Fatal(err)
		}
		check(t, load(t, s, "app/1"), nil)
		check(t, load(t, s, "app/2"), []core.StoreRecord{{Kind: core.StoreConversation, A: 1, Value: []byte("of 2")}})
		check(t, load(t, s, "other/1"), []core.StoreRecord{{Kind: core.StoreConversation, A: 9, Value: []byte("other app")}})
	})
	t.Run("DropAndKeep", func(t *testing.T) {
		s := open(t)
		var b core.StoreBatch
		for id := uint64(1); id <= 10; id++ {
			b.Records = append(b.Records, core.StoreRecord{Kind: core.StoreMessage, A: 5, B: id, Value: []byte{byte(id)}},
				core.StoreRecord{Kind: core.StoreMessage, A: 6, B: id, Value: []byte{byte(id)}})
		}
		b.Records = append(b.Records, core.StoreRecord{Kind: core.StoreConversation, A: 5, Value: []byte("c5")})
		apply(t, s, "app/1", &b)
		// Drop goes first: a message of conversation 5 written in the same
		// batch stays. Keep trims conversation 6 to its 3 newest.
		apply(t, s, "app/1", &core.StoreBatch{Drop: []uint64{5}, Keep: 3, Records: []core.StoreRecord{
			{Kind: core.StoreMessage, A: 5, B: 20, Value: []byte("new")},
			{Kind: core.StoreMessage, A: 6, B: 11, Value: []byte{11}},
		}})
		check(t, load(t, s, "app/1"), []core.StoreRecord{
			{Kind: core.StoreConversation, A: 5, Value: []byte("c5")},
			{Kind: core.StoreMessage, A: 5, B: 20, Value: []byte("new")},
			{Kind: core.StoreMessage, A: 6, B: 9, Value: []byte{9}},
			{Kind: core.StoreMessage, A: 6, B: 10, Value: []byte{10}},
			{Kind: core.StoreMessage, A: 6, B: 11, Value: []byte{11}},
		})
	})
	t.Run("ValuesAreCopied", func(t *testing.T) {
		s := open(t)
		v := []byte("abc")
		apply(t, s, "app/1", &core.StoreBatch{Records: []core.StoreRecord{{Kind: core.StoreMessage, A: 1, B: 1, Value: v}}})
		v[0] = 'X'
		recs := load(t, s, "app/1")
		check(t, recs, []core.StoreRecord{{Kind: core.StoreMessage, A: 1, B: 1, Value: []byte("abc")}})
		recs[0].Value[0] = 'Y'
		check(t, load(t, s, "app/1"), []core.StoreRecord{{Kind: core.StoreMessage, A: 1, B: 1, Value: []byte("abc")}})
	})
	t.Run("LargeIDs", func(t *testing.T) {
		s := open(t)
		const big = 1<<63 - 5
		apply(t, s, "app/1", &core.StoreBatch{Keep: 2, Records: []core.StoreRecord{
			{Kind: core.StoreMessage, A: 1<<64 - 1, B: big, Value: []byte("a")},
			{Kind: core.StoreMessage, A: 1<<64 - 1, B: big + 1, Value: []byte("b")},
			{Kind: core.StoreMessage, A: 1<<64 - 1, B: 1, Value: []byte("c")},
		}})
		check(t, load(t, s, "app/1"), []core.StoreRecord{
			{Kind: core.StoreMessage, A: 1<<64 - 1, B: big, Value: []byte("a")},
			{Kind: core.StoreMessage, A: 1<<64 - 1, B: big + 1, Value: []byte("b")},
		})
	})
}

func apply(t *testing.T, s core.LocalStore, user string, b *core.StoreBatch) {
	t.Helper()
	if err := s.Apply(user, b); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func load(t *testing.T, s core.LocalStore, user string) []core.StoreRecord {
	t.Helper()
	recs, err := s.Load(user)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return recs
}

// check compares records in key order.
func check(t *testing.T, got, want []core.StoreRecord) {
	t.Helper()
	sortRecords(got)
	sortRecords(want)
	if len(got) != len(want) {
		t.Fatalf("got %d records %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.A != w.A || g.B != w.B || !bytes.Equal(g.Value, w.Value) {
			t.Fatalf("record %d = %+v, want %+v", i, g, w)
		}
	}
}

func sortRecords(rs []core.StoreRecord) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	})
}
