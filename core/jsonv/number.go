package jsonv

// scanNumber reads the RFC 8259 number starting at s[i]. It returns the index
// just past the number and true, or the offset of the offending byte (the
// input's length if it ended early), false, and what was being read there.
func scanNumber(s string, i int) (int, bool, string) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
		if i < len(s) && isDigit(s[i]) {
			return i, false, "after leading zero"
		}
	case i < len(s) && isDigit(s[i]):
		i = skipDigits(s, i)
	default:
		return i, false, "in number"
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return i, false, "after decimal point"
		}
		i = skipDigits(s, i)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return i, false, "in exponent"
		}
		i = skipDigits(s, i)
	}
	return i, true, ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// isNumber reports whether all of s is one JSON number.
func isNumber(s string) bool {
	end, ok, _ := scanNumber(s, 0)
	return ok && end == len(s)
}

// maxExp caps exponents while converting: anything beyond it overflows or
// underflows every integer type anyway, and the cap keeps the arithmetic
// from wrapping on inputs such as 1e99999999999999999999.
const maxExp = 1 << 20

// integerDigits returns the decimal digits of the valid JSON number text t
// when its value is an integer, without leading zeros ("" for zero), and its
// sign. It works on the digits, not through float64, so 1.8446744073709551615e19
// converts exactly. ok is false when t has a fractional part or needs more
// than 20 digits (more than any 64-bit integer).
func integerDigits(t string) (neg bool, digits string, ok bool) {
	if t != "" && t[0] == '-' {
		neg, t = true, t[1:]
	}
	// Fast path: plain integer literal.
	end := skipDigits(t, 0)
	if end == len(t) {
		t = trimLeadingZeros(t)
		return neg, t, len(t) <= 20
	}
	intPart, rest := t[:end], t[end:]
	frac := ""
	if rest[0] == '.' {
		fe := skipDigits(rest, 1)
		frac, rest = rest[1:fe], rest[fe:]
	}
	exp := 0
	if rest != "" { // exponent: e[+-]digits
		rest = rest[1:]
		expNeg := false
		if rest[0] == '+' || rest[0] == '-' {
			expNeg, rest = rest[0] == '-', rest[1:]
		}
		for i := 0; i < len(rest) && exp < maxExp; i++ {
			exp = exp*10 + int(rest[i]-'0')
		}
		if expNeg {
			exp = -exp
		}
	}
	// value = intPart.frac × 10^exp = (intPart frac) × 10^(exp-len(frac)).
	mant := trimLeadingZeros(intPart + frac)
	exp -= len(frac)
	if mant == "" {
		return neg, "", true
	}
	for exp < 0 && mant[len(mant)-1] == '0' {
		mant = mant[:len(mant)-1]
		exp++
	}
	if exp < 0 || len(mant)+exp > 20 {
		return neg, "", false
	}
	for ; exp > 0; exp-- {
		mant += "0"
	}
	return neg, mant, true
}

func trimLeadingZeros(s string) string {
	for s != "" && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// numberUint64 converts valid number text exactly; negative zero is 0.
func numberUint64(t string) (uint64, bool) {
	neg, d, ok := integerDigits(t)
	if !ok {
		return 0, false
	}
	if d == "" {
		return 0, true
	}
	if neg {
		return 0, false
	}
	return parseDigits(d)
}

// numberInt64 converts valid number text exactly.
func numberInt64(t string) (int64, bool) {
	neg, d, ok := integerDigits(t)
	if !ok {
		return 0, false
	}
	if d == "" {
		return 0, true
	}
	u, ok := parseDigits(d)
	if !ok {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true // -(1<<63) wraps to itself, which is right
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// parseDigits converts a string of decimal digits to a uint64, failing on
// overflow. It replaces strconv.ParseUint, whose error type formats with
// strconv.Quote and so links Unicode printability tables into the wasm
// binary.
func parseDigits(d string) (uint64, bool) {
	if d == "" {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !isDigit(c) || u > (1<<64-1)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
		if u < uint64(c-'0') {
			return 0, false // wrapped
		}
	}
	return u, true
}
