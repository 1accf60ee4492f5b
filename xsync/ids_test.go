package xsync

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatID(t *testing.T) {
	assert.Equal(t, "0", FormatID(0))
	assert.Equal(t, "9007199254740991", FormatID(MaxSafeID))
	assert.Equal(t, "18446744073709551615", FormatID(math.MaxUint64))
}

func TestParseID(t *testing.T) {
	for in, want := range map[string]uint64{
		"0":                      0,
		"1":                      1,
		"007":                    7,
		"9007199254740991":       MaxSafeID,
		"9007199254740993":       MaxSafeID + 2,
		"18446744073709551615":   math.MaxUint64,
		"0018446744073709551615": math.MaxUint64,
	} {
		got, err := ParseID(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", " 1", "1 ", "+1", "-1", "1_000", "0x10", "1e3", "1.0", "١",
		"18446744073709551616", "99999999999999999999", "184467440737095516150",
		"\x00", "12a",
	} {
		_, err := ParseID(in)
		assert.ErrorIs(t, err, ErrInvalidID, "%q", in)
	}
	_, err := ParseID("18446744073709551616")
	assert.EqualError(t, err, `xsync: invalid id "18446744073709551616": out of range`)
	_, err = ParseID("")
	assert.EqualError(t, err, `xsync: invalid id "": empty`)
}

// TestParseIDMatchesStrconv: on digit strings, ParseID agrees with strconv.
func TestParseIDMatchesStrconv(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		n := 1 + r.IntN(22)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		want, werr := strconv.ParseUint(string(b), 10, 64)
		got, err := ParseID(string(b))
		if werr != nil {
			assert.ErrorIs(t, err, ErrInvalidID, string(b))
			continue
		}
		require.NoError(t, err, string(b))
		assert.Equal(t, want, got, string(b))
		back, err := ParseID(FormatID(got))
		require.NoError(t, err)
		assert.Equal(t, got, back)
	}
}

// TestParseIDErrorQuoting: the id in the message is quoted like strconv.Quote
// for printable ASCII, every other byte as \xNN, and cut at 40 bytes.
func TestParseIDErrorQuoting(t *testing.T) {
	for _, in := range []string{"12a", `1"2`, `1\2`, "1 2"} {
		_, err := ParseID(in)
		assert.EqualError(t, err, "xsync: invalid id "+strconv.Quote(in)+": not a decimal digit")
	}
	_, err := ParseID("1\n\x00\xffé")
	assert.EqualError(t, err, `xsync: invalid id "1\x0a\x00\xff\xc3\xa9": not a decimal digit`)
	long := "x123456789012345678901234567890123456789012345"
	_, err = ParseID(long)
	assert.EqualError(t, err, `xsync: invalid id "`+long[:40]+`...": not a decimal digit`)
}
