package jsonv

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParse checks, for any input, that:
//   - Parse never panics and returns either a value or a *ParseError whose
//     offset lies within the input;
//   - it accepts exactly what encoding/json.Valid accepts (apart from inputs
//     beyond MaxDepth, which encoding/json allows up to 10000 levels);
//   - an accepted document decodes to what encoding/json decodes (numbers
//     compared as text), and re-encoding it then parsing and encoding again
//     gives the same bytes.
//
// Seeds live in testdata/fuzz/FuzzParse; run with
// go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 20s ./core/jsonv/
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"code":200,"message":null,"data":{"token":"t"}}`,
		`[1,-0,1.5e-3,18446744073709551615,"\ud83d\ude00\u2028"]`,
		`"\ud800\u0041\xff"`,
		"[[[[[[[[[[]]]]]]]]]]",
		`{"a":{"b":[true,false,null]},"a":1}`,
		"01", "[1,]", `{"a" 1}`, "\"\x01\"", "1e", "-", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			var pe *ParseError
			require.ErrorAs(t, err, &pe)
			require.GreaterOrEqual(t, pe.Offset, 0)
			require.LessOrEqual(t, pe.Offset, len(data))
			require.False(t, v.Exists())
			if errors.Is(err, ErrTooDeep) {
				return
			}
			require.ErrorIs(t, err, ErrSyntax)
			require.False(t, json.Valid(data), "rejected valid JSON %q: %v", data, err)
			return
		}
		require.True(t, json.Valid(data), "accepted invalid JSON %q", data)
		require.Equal(t, stdDecode(t, data), toAny(v))

		enc := v.AppendJSON(nil)
		require.True(t, json.Valid(enc), "encoded %q as invalid %q", data, enc)
		v2, err := Parse(enc)
		require.NoError(t, err)
		require.Equal(t, string(enc), v2.String())
	})
}

// FuzzMerge checks that MergeStrings never panics and follows the merge rule
// of PROTOCOL.md §9.3 for any pair of texts:
//   - an empty, invalid or null src returns dst byte for byte;
//   - otherwise the result is valid JSON; a non-object src (or dst) gives
//     src's own encoding; for two objects every src key holds src's value,
//     or the merge of both when both values are objects, every other dst
//     key keeps dst's value, and no key repeats;
//   - merging the same src again changes nothing (semantically: repeated
//     keys inside an added sub-object are collapsed by the second merge).
func FuzzMerge(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":2}}`, `{"b":{"d":3},"e":[4]}`)
	f.Add(`{"mentionList":[1,2]}`, `null`)
	f.Add(``, `{"x":18446744073709551615}`)
	f.Add(`{"a":1,"a":{"b":1}}`, `{"a":{"c":2},"a":{"d":3}}`)
	f.Add(`[1]`, `{"a":1}`)
	f.Add(`{"a":1}`, `"str"`)
	f.Fuzz(func(t *testing.T, dst, src string) {
		out := MergeStrings(dst, src)
		s, err := ParseString(src)
		if err != nil || s.Kind() == KindNull {
			require.Equal(t, dst, out)
			return
		}
		require.True(t, json.Valid([]byte(out)), "invalid result %q", out)
		o, err := ParseString(out)
		require.NoError(t, err)
		d, err := ParseString(dst)
		if err != nil {
			d = Object()
		}
		if s.Kind() != KindObject || d.Kind() != KindObject {
			require.Equal(t, s.String(), out)
			return
		}
		require.Equal(t, KindObject, o.Kind())
		seen := map[string]bool{}
		for k, x := range o.Members() {
			require.False(t, seen[k], "key %q repeats in %q", k, out)
			seen[k] = true
			sv, dv := s.Get(k), d.Get(k)
			switch {
			case !sv.Exists():
				assert.Equal(t, dv.String(), x.String(), "dst key %q", k)
			case sv.Kind() == KindObject && dv.Kind() == KindObject:
				assert.Equal(t, Merge(dv, sv).String(), x.String(), "merged key %q", k)
			default:
				assert.Equal(t, sv.String(), x.String(), "src key %q", k)
			}
		}
		for k := range s.Members() {
			require.True(t, seen[k], "src key %q lost", k)
		}
		for k := range d.Members() {
			require.True(t, seen[k], "dst key %q lost", k)
		}
		// Idempotent up to repeated keys: a src object added whole keeps
		// its own repeats, which a second merge collapses (last wins).
		again, err := ParseString(MergeStrings(out, src))
		require.NoError(t, err)
		require.Equal(t, toAny(o), toAny(again), "merge is idempotent")
	})
}
