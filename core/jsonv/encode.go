package jsonv

import "unicode/utf8"

// AppendJSON appends the compact JSON encoding of v to b and returns the
// extended slice. A missing value encodes as null. Numbers are written in
// their source spelling and repeated keys are written as they are.
func (v Value) AppendJSON(b []byte) []byte {
	return v.appendJSON(b)
}

func (v *Value) appendJSON(b []byte) []byte {
	switch v.kind {
	case KindBool:
		if v.b {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case KindNumber:
		return append(b, v.s...)
	case KindString:
		return AppendString(b, v.s)
	case KindArray:
		b = append(b, '[')
		for i := range v.kids {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.kids[i].appendJSON(b)
		}
		return append(b, ']')
	case KindObject:
		b = append(b, '{')
		for i := 0; i+1 < len(v.kids); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, v.kids[i].s)
			b = append(b, ':')
			b = v.kids[i+1].appendJSON(b)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

// String returns the compact JSON encoding of v, so a Value prints as JSON.
func (v Value) String() string { return string(v.appendJSON(nil)) }

// asciiEscapes holds the escaped form of each ASCII byte that cannot appear
// as itself in a JSON string, and "" for the others. A table keeps
// AppendString small in wasm, where every append call costs code.
var asciiEscapes [utf8.RuneSelf]string

func init() {
	for c := range 0x20 {
		asciiEscapes[c] = `\u00` + string([]byte{hexDigits[c>>4], hexDigits[c&0xF]})
	}
	t := &asciiEscapes
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = `\b`, `\f`, `\n`, `\r`, `\t`
	t['"'], t['\\'] = `\"`, `\\`
}

const hexDigits = "0123456789abcdef"

// AppendString appends s to b as a quoted JSON string; see the package doc
// for the escaping rules.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		var esc string
		size := 1
		if c := s[i]; c < utf8.RuneSelf {
			if esc = asciiEscapes[c]; esc == "" {
				i++
				continue
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				esc = "\uFFFD"
			case r == '\u2028':
				// Valid JSON but line terminators in JavaScript source
				// before ES2019: escaping them keeps the output embeddable.
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			default:
				i += size
				continue
			}
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
