package jsonv

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

const msgEOF = "unexpected end of input"

// Parse parses one JSON document; see the package doc for the exact grammar,
// limits and error reporting. The input is copied once, and the result's
// unescaped strings share that copy, so data may be reused afterwards.
func Parse(data []byte) (Value, error) {
	return ParseString(string(data))
}

// ParseString is Parse for text already held in a string, which it does not
// copy: unescaped strings and numbers of the result are substrings of s.
func ParseString(s string) (Value, error) {
	p := parser{s: s}
	v, ok := p.value()
	if !ok {
		return Value{}, p.err
	}
	p.skipSpace()
	if p.i < len(s) {
		p.unexpected("after top-level value")
		return Value{}, p.err
	}
	return v, nil
}

// parser is a recursive-descent parser over a string. Containers collect
// their children on one shared stack and copy them into an exactly sized
// slice when they close, so each array or object costs one allocation.
type parser struct {
	s     string
	i     int
	depth int
	stack []Value
	buf   []byte // scratch space for strings with escapes
	err   *ParseError
}

// unexpected records a syntax error for the byte at p.i, or for the end of
// the input, met while reading what context describes. It returns false so
// callers can return its result. Every syntax error goes through here, which
// keeps the message building in one place (it is bulky in wasm).
func (p *parser) unexpected(context string) bool {
	msg := msgEOF
	if p.i < len(p.s) {
		msg = "invalid character " + quoteByte(p.s[p.i]) + " " + context
	}
	p.err = &ParseError{Offset: p.i, Msg: msg, err: ErrSyntax}
	return false
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() (Value, bool) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return Value{}, p.unexpected("")
	}
	switch c := p.s[p.i]; c {
	case '{':
		return p.object()
	case '[':
		return p.array()
	case '"':
		s, ok := p.str()
		return Value{kind: KindString, s: s, present: true}, ok
	case 't':
		return Value{kind: KindBool, b: true, present: true}, p.literal("true")
	case 'f':
		return Value{kind: KindBool, present: true}, p.literal("false")
	case 'n':
		return Value{present: true}, p.literal("null")
	default:
		if c != '-' && !isDigit(c) {
			return Value{}, p.unexpected("looking for beginning of value")
		}
		start := p.i
		end, ok, context := scanNumber(p.s, start)
		p.i = end
		if !ok {
			return Value{}, p.unexpected(context)
		}
		return Value{kind: KindNumber, s: p.s[start:end], present: true}, true
	}
}

func (p *parser) literal(word string) bool {
	for j := 0; j < len(word); j++ {
		if p.i >= len(p.s) || p.s[p.i] != word[j] {
			return p.unexpected("in literal " + word)
		}
		p.i++
	}
	return true
}

func (p *parser) enter() bool {
	p.depth++
	if p.depth > MaxDepth {
		p.err = &ParseError{Offset: p.i, Msg: "nesting deeper than " + strconv.Itoa(MaxDepth), err: ErrTooDeep}
		return false
	}
	return true
}

// leave pops the children pushed since base into their own slice.
func (p *parser) leave(base int) []Value {
	p.depth--
	kids := make([]Value, len(p.stack)-base)
	copy(kids, p.stack[base:])
	clear(p.stack[base:]) // drop references so the scratch stack pins nothing
	p.stack = p.stack[:base]
	return kids
}

func (p *parser) array() (Value, bool) {
	if !p.enter() {
		return Value{}, false
	}
	p.i++ // '['
	base := len(p.stack)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return Value{kind: KindArray, present: true}, true
	}
	for {
		v, ok := p.value()
		if !ok {
			return Value{}, false
		}
		p.stack = append(p.stack, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return Value{}, p.unexpected("")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return Value{kind: KindArray, kids: p.leave(base), present: true}, true
		default:
			return Value{}, p.unexpected("after array element")
		}
	}
}

func (p *parser) object() (Value, bool) {
	if !p.enter() {
		return Value{}, false
	}
	p.i++ // '{'
	base := len(p.stack)
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return Value{kind: KindObject, present: true}, true
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return Value{}, p.unexpected("looking for beginning of object key")
		}
		k, ok := p.str()
		if !ok {
			return Value{}, false
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Value{}, p.unexpected("after object key")
		}
		p.i++
		v, ok := p.value()
		if !ok {
			return Value{}, false
		}
		p.stack = append(p.stack, keyValue(k), v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return Value{}, p.unexpected("")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return Value{kind: KindObject, kids: p.leave(base), present: true}, true
		default:
			return Value{}, p.unexpected("after object member")
		}
	}
}

// str reads the string starting at the quote at p.i. Strings without escapes
// or invalid UTF-8, the common case, are returned as substrings of the input.
func (p *parser) str() (string, bool) {
	s := p.s
	start := p.i + 1
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return s[start:i], true
		case c == '\\' || c < 0x20:
			return p.strSlow(start, i)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return p.strSlow(start, i)
			}
			i += size
		}
	}
	p.i = len(s)
	return "", p.unexpected("")
}

// strSlow decodes a string from s[start:], of which s[start:i] is plain text.
func (p *parser) strSlow(start, i int) (string, bool) {
	s := p.s
	b := append(p.buf[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			p.buf = b
			return string(b), true
		case c < 0x20:
			p.i = i
			return "", p.unexpected("in string literal")
		case c == '\\':
			var ok bool
			if b, i, ok = p.escape(b, i); !ok {
				return "", false
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	p.i = len(s)
	return "", p.unexpected("")
}

// escape decodes the escape sequence at s[i] == '\\', appending it to b.
func (p *parser) escape(b []byte, i int) ([]byte, int, bool) {
	s := p.s
	if i+1 >= len(s) {
		p.i = len(s)
		return b, i, p.unexpected("")
	}
	var c byte
	switch s[i+1] {
	case '"', '\\', '/':
		c = s[i+1]
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, ok := p.hex4(i + 2)
		if !ok {
			return b, i, false
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by an escaped low one is a pair;
			// anything else is unpaired and becomes U+FFFD, while the
			// following escape is decoded on its own.
			r2 := rune(-1)
			if r < 0xDC00 && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if r2, ok = p.hex4(i + 2); !ok {
					return b, i, false
				}
			}
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				r = pair
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(b, r), i, true
	default:
		p.i = i + 1
		return b, i, p.unexpected("in string escape code")
	}
	return append(b, c), i + 2, true
}

// hex4 decodes the four hex digits at s[i:].
func (p *parser) hex4(i int) (rune, bool) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(p.s) {
			p.i = j
			return 0, p.unexpected("")
		}
		c := p.s[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			p.i = j
			return 0, p.unexpected("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// quoteByte renders a byte for an error message: 'x' for printable ASCII,
// a Go-style escape for other ASCII and "byte 0xNN" beyond. It avoids
// strconv.QuoteRune, which links Unicode printability tables into the wasm
// binary.
func quoteByte(c byte) string {
	hex := string([]byte{hexDigits[c>>4], hexDigits[c&0xF]})
	switch {
	case c >= utf8.RuneSelf:
		return "byte 0x" + hex
	case c == '\'' || c == '\\':
		return `'\` + string(rune(c)) + `'`
	case c >= 0x20 && c < 0x7f:
		return "'" + string(rune(c)) + "'"
	case c == '\n':
		return `'\n'`
	case c == '\t':
		return `'\t'`
	case c == '\r':
		return `'\r'`
	}
	return `'\x` + hex + `'`
}
