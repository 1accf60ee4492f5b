package jsonv

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toAny converts v to the shape encoding/json decodes into with UseNumber, so
// the two parsers can be compared with a deep equality.
func toAny(v Value) any {
	switch v.Kind() {
	case KindBool:
		b, _ := v.Bool()
		return b
	case KindNumber:
		s, _ := v.AsString()
		return json.Number(s)
	case KindString:
		s, _ := v.Str()
		return s
	case KindArray:
		a := make([]any, 0, v.Len())
		for _, e := range v.Elements() {
			a = append(a, toAny(e))
		}
		return a
	case KindObject:
		m := make(map[string]any, v.Len())
		for k, e := range v.Members() {
			m[k] = toAny(e) // later duplicates overwrite, as in encoding/json
		}
		return m
	}
	return nil
}

func stdDecode(t testing.TB, data []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var x any
	require.NoError(t, d.Decode(&x), "encoding/json on %q", data)
	return x
}

// docGen writes random but valid JSON text exercising the grammar's corners:
// every kind of whitespace, escapes (short, \u, surrogate pairs and lone
// surrogates), raw multi-byte and invalid UTF-8, numbers of every shape
// including integers beyond 64 bits, duplicate keys and deep nesting.
type docGen struct {
	r *rand.Rand
	b []byte
}

func (g *docGen) ws() {
	for g.r.IntN(4) == 0 {
		g.b = append(g.b, " \t\r\n"[g.r.IntN(4)])
	}
}

func (g *docGen) number() {
	r := g.r
	switch r.IntN(6) {
	case 0:
		g.b = strconv.AppendInt(g.b, r.Int64()>>r.IntN(64), 10)
	case 1:
		g.b = strconv.AppendUint(g.b, r.Uint64(), 10)
	case 2:
		g.b = append(g.b, []string{"0", "-0", "9007199254740993", "18446744073709551615", "18446744073709551616", "-9223372036854775808", "1e400", "-1e-400", "123456789012345678901234567890"}[r.IntN(9)]...)
	default:
		if r.IntN(2) == 0 {
			g.b = append(g.b, '-')
		}
		if r.IntN(3) == 0 {
			g.b = append(g.b, '0')
		} else {
			g.b = append(g.b, byte('1'+r.IntN(9)))
			for range r.IntN(25) {
				g.b = append(g.b, byte('0'+r.IntN(10)))
			}
		}
		if r.IntN(2) == 0 {
			g.b = append(g.b, '.')
			for range 1 + r.IntN(10) {
				g.b = append(g.b, byte('0'+r.IntN(10)))
			}
		}
		if r.IntN(2) == 0 {
			g.b = append(g.b, "eE"[r.IntN(2)])
			switch r.IntN(3) {
			case 0:
				g.b = append(g.b, '+')
			case 1:
				g.b = append(g.b, '-')
			}
			for range 1 + r.IntN(3) {
				g.b = append(g.b, byte('0'+r.IntN(10)))
			}
		}
	}
}

func (g *docGen) hex4(u int) {
	const hex = "0123456789abcdefABCDEF"
	for sh := 12; sh >= 0; sh -= 4 {
		d := u >> sh & 0xF
		if d >= 10 && g.r.IntN(2) == 0 {
			d += 6 // upper-case digit
		}
		g.b = append(g.b, hex[d])
	}
}

func (g *docGen) str() {
	r := g.r
	g.b = append(g.b, '"')
	for range r.IntN(12) {
		switch r.IntN(12) {
		case 0:
			g.b = append(g.b, '\\', `"\/bfnrt`[r.IntN(8)])
		case 1:
			g.b = append(g.b, '\\', 'u')
			g.hex4(r.IntN(0x10000))
		case 2: // valid surrogate pair
			g.b = append(g.b, '\\', 'u')
			g.hex4(0xD800 + r.IntN(0x400))
			g.b = append(g.b, '\\', 'u')
			g.hex4(0xDC00 + r.IntN(0x400))
		case 3:
			g.b = append(g.b, []string{"é", "中", "😀", "\u2028", "\u2029", "\x7f", "\ufffd"}[r.IntN(7)]...)
		case 4: // invalid UTF-8
			g.b = append(g.b, []string{"\xff", "\xc3", "\xe4\xb8", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}[r.IntN(6)]...)
		default:
			g.b = append(g.b, byte(' '+r.IntN(95)))
			if g.b[len(g.b)-1] == '"' || g.b[len(g.b)-1] == '\\' {
				g.b[len(g.b)-1] = 'x'
			}
		}
	}
	g.b = append(g.b, '"')
}

func (g *docGen) value(depth int) {
	r := g.r
	k := r.IntN(10)
	if depth > 6 {
		k = r.IntN(6)
	}
	switch k {
	case 0:
		g.b = append(g.b, []string{"null", "true", "false"}[r.IntN(3)]...)
	case 1, 2:
		g.number()
	case 3, 4, 5:
		g.str()
	case 6, 7:
		g.b = append(g.b, '[')
		g.ws()
		for i := range r.IntN(5) {
			if i > 0 {
				g.b = append(g.b, ',')
				g.ws()
			}
			g.value(depth + 1)
			g.ws()
		}
		g.b = append(g.b, ']')
	default:
		g.b = append(g.b, '{')
		g.ws()
		keys := []string{`"a"`, `"b"`, `"a"`, `""`, `"\u0061"`}
		for i := range r.IntN(6) {
			if i > 0 {
				g.b = append(g.b, ',')
				g.ws()
			}
			if r.IntN(2) == 0 {
				g.b = append(g.b, keys[r.IntN(len(keys))]...) // duplicates
			} else {
				g.str()
			}
			g.ws()
			g.b = append(g.b, ':')
			g.ws()
			g.value(depth + 1)
			g.ws()
		}
		g.b = append(g.b, '}')
	}
}

func (g *docGen) doc() []byte {
	g.b = g.b[:0]
	g.ws()
	g.value(0)
	g.ws()
	return g.b
}

func TestCrossCheckRandomDocuments(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	g := docGen{r: rand.New(rand.NewPCG(1, 2))}
	for range n {
		doc := g.doc()
		require.True(t, json.Valid(doc), "generator bug: %q", doc)
		v, err := Parse(doc)
		require.NoError(t, err, "%q", doc)
		want := stdDecode(t, doc)
		require.Equal(t, want, toAny(v), "parse of %q", doc)

		enc := v.AppendJSON(nil)
		require.True(t, json.Valid(enc), "encoding of %q: %q", doc, enc)
		require.Equal(t, want, stdDecode(t, enc), "encoding of %q: %q", doc, enc)

		again, err := Parse(enc)
		require.NoError(t, err)
		require.Equal(t, string(enc), again.String(), "re-encoding is stable")
	}
}

func TestCrossCheckMutations(t *testing.T) {
	// Random edits of valid documents: we accept exactly what encoding/json
	// accepts, and agree on the result.
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(3, 4))
	g := docGen{r: r}
	alphabet := []byte("{}[]:,\"\\ \t\n0123456789-+.eEtrufalsn\x00\x1f\x7f\xff\xc3")
	accepted := 0
	for range n {
		doc := append([]byte(nil), g.doc()...)
		for range 1 + r.IntN(3) {
			i := r.IntN(len(doc) + 1)
			switch r.IntN(3) {
			case 0: // insert
				doc = append(doc[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, doc[i:]...)...)
			case 1: // delete
				if i < len(doc) {
					doc = append(doc[:i], doc[i+1:]...)
				}
			case 2: // replace
				if i < len(doc) {
					doc[i] = alphabet[r.IntN(len(alphabet))]
				}
			}
		}
		v, err := Parse(doc)
		if !assert.Equal(t, json.Valid(doc), err == nil, "%q: %v", doc, err) {
			continue
		}
		if err == nil {
			accepted++
			assert.Equal(t, stdDecode(t, doc), toAny(v), "%q", doc)
		}
	}
	t.Logf("%d of %d mutated documents were still valid", accepted, n)
	assert.Positive(t, accepted)
	assert.Less(t, accepted, n)
}

func TestCrossCheckStrings(t *testing.T) {
	// Strings of random bytes encode to the same text encoding/json decodes.
	r := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			switch r.IntN(3) {
			case 0:
				b[i] = byte(r.IntN(256))
			default:
				b[i] = byte(r.IntN(128))
			}
		}
		s := string(b)
		enc := AppendString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(enc, &back), "%q -> %q", s, enc)
		assert.Equal(t, strings.ToValidUTF8(s, "") == s, back == s, "%q", s)
		assert.Equal(t, replaceInvalid(s), back)
		std, err := json.Marshal(s)
		require.NoError(t, err)
		var stdBack string
		require.NoError(t, json.Unmarshal(std, &stdBack))
		assert.Equal(t, stdBack, back, "same text as encoding/json's own encoding")
	}
}
