package jsonv

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMerge(t *testing.T) {
	tests := []struct {
		name, dst, src, want string
	}{
		{"add key", `{"a":1}`, `{"b":2}`, `{"a":1,"b":2}`},
		{"replace scalar", `{"a":1,"b":2}`, `{"a":"x"}`, `{"a":"x","b":2}`},
		{"deep merge", `{"a":{"x":1,"y":{"p":1}}}`, `{"a":{"y":{"q":2},"z":3}}`, `{"a":{"x":1,"y":{"p":1,"q":2},"z":3}}`},
		{"object replaces scalar", `{"a":1}`, `{"a":{"b":1}}`, `{"a":{"b":1}}`},
		{"scalar replaces object", `{"a":{"b":1}}`, `{"a":1}`, `{"a":1}`},
		{"array replaces array", `{"a":[1,2,3]}`, `{"a":[4]}`, `{"a":[4]}`},
		{"null replaces", `{"a":{"b":1}}`, `{"a":null}`, `{"a":null}`},
		{"empty src object", `{"a":1}`, `{}`, `{"a":1}`},
		{"empty dst object", `{}`, `{"a":{"b":1}}`, `{"a":{"b":1}}`},
		{"order: dst first then new src keys", `{"b":1,"a":2}`, `{"c":3,"a":4,"d":5}`, `{"b":1,"a":4,"c":3,"d":5}`},
		{"dst duplicates collapse, last wins", `{"a":1,"b":2,"a":3}`, `{"c":4}`, `{"a":3,"b":2,"c":4}`},
		{"src duplicates: last wins, not merged together", `{"a":{"x":1}}`, `{"a":{"y":1},"a":{"z":1}}`, `{"a":{"x":1,"z":1}}`},
		{"non-object src replaces", `{"a":1}`, `[1]`, `[1]`},
		{"string src replaces", `{"a":1}`, `"s"`, `"s"`},
		{"object src over non-object dst", `[1]`, `{"a":1}`, `{"a":1}`},
		{"big numbers exact", `{"id":18446744073709551615}`, `{"room":9007199254740993}`, `{"id":18446744073709551615,"room":9007199254740993}`},
		{"mention config edit", `{"mentionAll":false,"mentionList":[1,2],"senderNickname":"amy"}`, `{"mentionList":[3],"pushMessage":"hi"}`, `{"mentionAll":false,"mentionList":[3],"senderNickname":"amy","pushMessage":"hi"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst, src := mustParse(t, tt.dst), mustParse(t, tt.src)
			got := Merge(dst, src)
			assert.Equal(t, tt.want, got.String())
			assert.Equal(t, tt.dst, dst.String(), "dst untouched")
			assert.Equal(t, tt.src, src.String(), "src untouched")
			assert.Equal(t, tt.want, MergeStrings(tt.dst, tt.src))
		})
	}

	d := mustParse(t, `{"a":1}`)
	assert.Equal(t, d, Merge(d, Value{}), "missing src is no change")
	assert.Equal(t, `{"a":1}`, Merge(Value{}, d).String(), "missing dst takes src")
}

func TestMergeDoesNotAlias(t *testing.T) {
	// Editing the result must not leak into the inputs (they share sub-values).
	dst := mustParse(t, `{"a":{"x":1},"b":2}`)
	src := mustParse(t, `{"a":{"y":2},"c":{"z":3}}`)
	m := Merge(dst, src)
	m2 := m.Set("a", Int(0)).Set("c", m.Get("c").Set("z", Int(9)))
	assert.Equal(t, `{"a":{"x":1,"y":2},"b":2,"c":{"z":3}}`, m.String())
	assert.Equal(t, `{"a":0,"b":2,"c":{"z":9}}`, m2.String())
	assert.Equal(t, `{"a":{"x":1},"b":2}`, dst.String())
	assert.Equal(t, `{"a":{"y":2},"c":{"z":3}}`, src.String())
}

func TestMergeStrings(t *testing.T) {
	tests := []struct {
		name, dst, src, want string
	}{
		{"empty src", `{"a":1}`, ``, `{"a":1}`},
		{"null src", `{"a":1}`, `null`, `{"a":1}`},
		{"spaced null src", `{"a":1}`, " null ", `{"a":1}`},
		{"invalid src", `{"a":1}`, `{"b":`, `{"a":1}`},
		{"invalid src keeps even invalid dst", `not json`, `{`, `not json`},
		{"empty dst", ``, `{"b":2}`, `{"b":2}`},
		{"invalid dst", `{"a":`, `{"b":2}`, `{"b":2}`},
		{"null dst", `null`, `{"b":2}`, `{"b":2}`},
		{"spaced input compacted", ` { "a" : 1 } `, ` { "b" : [ 2 ] } `, `{"a":1,"b":[2]}`},
		{"scalar src replaces", `{"a":1}`, `5`, `5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MergeStrings(tt.dst, tt.src))
		})
	}
}

func TestMergeManyKeys(t *testing.T) {
	// Past the linear-scan threshold the builder switches to a map; results
	// must not change.
	var dst, src, want Writer
	dst.BeginObject()
	src.BeginObject()
	want.BeginObject()
	const n = 200
	for i := range n {
		k := "k" + strconv.Itoa(i)
		dst.Key(k)
		dst.Int(int64(i))
		if i%2 == 0 {
			want.Key(k)
			want.Int(int64(i))
		} else {
			want.Key(k)
			want.String("s")
		}
	}
	for i := 1; i < 2*n; i += 2 {
		k := "k" + strconv.Itoa(i)
		src.Key(k)
		src.String("s")
	}
	// A repeated dst key beyond the threshold collapses in place.
	dst.Key("k0")
	dst.Int(0)
	for i := n + 1; i < 2*n; i += 2 {
		want.Key("k" + strconv.Itoa(i))
		want.String("s")
	}
	dst.EndObject()
	src.EndObject()
	want.EndObject()
	got := MergeStrings(string(dst.Bytes()), string(src.Bytes()))
	assert.Equal(t, string(want.Bytes()), got)
	require.Equal(t, n+n/2, mustParse(t, got).Len())
	assert.False(t, strings.Contains(got, `"k0":0,"k0"`))
}
