package jsonv

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDigits(t *testing.T) {
	tests := []struct {
		in string
		u  uint64
		ok bool
	}{
		{"0", 0, true},
		{"7", 7, true},
		{"0007", 7, true},
		{"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false}, // wraps to 0 in the last step
		{"18446744073709551620", 0, false},
		{"18446744073709551699", 0, false},
		{"99999999999999999999", 0, false},
		{"184467440737095516150", 0, false},
		{"", 0, false},
		{"1a", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
	}
	for _, tt := range tests {
		u, ok := parseDigits(tt.in)
		assert.Equal(t, tt.ok, ok, "%q", tt.in)
		assert.Equal(t, tt.u, u, "%q", tt.in)
	}
}

func TestIntegerSpellings(t *testing.T) {
	// Any spelling of an integer converts exactly: plain, with a zero
	// fraction, with the decimal point moved into an exponent.
	r := rand.New(rand.NewPCG(7, 8))
	spell := func(digits string) []string {
		out := []string{digits, digits + ".000", digits + "e0", digits + "0e-1", digits + "00E-2"}
		if len(digits) > 1 {
			// d.ddd × 10^(n-1)
			out = append(out, digits[:1]+"."+digits[1:]+"e"+strconv.Itoa(len(digits)-1))
			out = append(out, digits[:1]+"."+digits[1:]+"E+"+strconv.Itoa(len(digits)-1))
		}
		if t := strings.TrimRight(digits, "0"); t != digits && t != "" {
			out = append(out, t+"e"+strconv.Itoa(len(digits)-len(t)))
		}
		return out
	}
	for range 2000 {
		u := r.Uint64() >> r.IntN(64)
		if u == 0 {
			continue // "00e-1" is not JSON; zero is covered in TestIntegers
		}
		for _, s := range spell(strconv.FormatUint(u, 10)) {
			v := mustParse(t, s)
			got, ok := v.Uint64()
			require.True(t, ok, "%s", s)
			require.Equal(t, u, got, "%s", s)
			i, ok := v.Int64()
			require.Equal(t, u <= math.MaxInt64, ok, "%s", s)
			if ok {
				require.Equal(t, int64(u), i, "%s", s)
			}
			if u <= 1<<63 {
				i, ok := mustParse(t, "-"+s).Int64()
				require.True(t, ok, "-%s", s)
				require.Equal(t, -int64(u), i, "-%s", s)
			}
			// Floats agree with strconv on the same text.
			f, ok := v.Float64()
			require.True(t, ok)
			want, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			require.Equal(t, want, f)
		}
	}
}

func TestQuoteByte(t *testing.T) {
	tests := map[byte]string{
		'a':  `'a'`,
		' ':  `' '`,
		'\'': `'\''`,
		'\\': `'\\'`,
		'\n': `'\n'`,
		'\t': `'\t'`,
		'\r': `'\r'`,
		0:    `'\x00'`,
		0x1f: `'\x1f'`,
		0x7f: `'\x7f'`,
		0x80: `byte 0x80`,
		0xff: `byte 0xff`,
	}
	for c, want := range tests {
		assert.Equal(t, want, quoteByte(c), "%#x", c)
	}
}
