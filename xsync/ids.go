package xsync

import "strconv"

// MaxSafeID is the largest integer a JavaScript number holds exactly
// (Number.MAX_SAFE_INTEGER). The official clients handle uids and gids as
// numbers, so servers keep them at or below this (PROTOCOL.md §8.4); the JS
// facade passes every other 64-bit value as a decimal string.
const MaxSafeID uint64 = 1<<53 - 1

// FormatID returns id in decimal, the form 64-bit ids take in the JS facade.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID parses a decimal id as written by FormatID. It accepts only ASCII
// digits (leading zeros allowed): no sign, no whitespace, no underscores, no
// base prefix, nothing empty, nothing above 2^64-1. The error wraps
// ErrInvalidID.
func ParseID(s string) (uint64, error) {
	if s == "" {
		return 0, idErr(s, "empty")
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, idErr(s, "not a decimal digit")
		}
		if v > (1<<64-1)/10 || v*10 > 1<<64-1-uint64(c) {
			return 0, idErr(s, "out of range")
		}
		v = v*10 + uint64(c)
	}
	return v, nil
}

func idErr(s, why string) error {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return &wrapError{err: ErrInvalidID, msg: ErrInvalidID.Error() + " " + quoteID(s) + ": " + why}
}

// quoteID double-quotes s for an error message, escaping quotes, backslashes
// and every byte outside printable ASCII as \xNN. strconv.Quote would keep
// printable non-ASCII runes, but its Unicode printability tables cost the
// wasm build ~5 KB brotli, and an id has no business holding them anyway.
func quoteID(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= ' ' && c < 0x7f:
			b = append(b, c)
		default:
			b = append(b, '\\', 'x', hex[c>>4], hex[c&0xf])
		}
	}
	return string(append(b, '"'))
}
