package ratel

import (
	"strings"
	"unicode/utf8"
)

// Input limits. The server never trusts a client: every stored string has a
// bound, so one request cannot bloat the database or the notices fanned out
// from it.
const (
	maxUsernameLen = 64   // bytes; ASCII only
	minPasswordLen = 6    // bytes
	maxPasswordLen = 72   // bytes: bcrypt ignores (x/crypto rejects) anything longer
	maxNickLen     = 64   // characters
	maxTextLen     = 4096 // bytes: description, public_info, private_info
	maxAvatarLen   = 2048 // bytes: an object name or URL
	maxGUIDLen     = 128  // bytes
	maxMobileLen   = 32   // bytes
	maxEmailLen    = 254  // bytes
	maxShortLen    = 256  // bytes: auth question/answer, push nick name, push tokens
)

// checkUsername enforces the user name rules: 1–64 characters from
// [A-Za-z0-9_.@-], starting with a letter or digit. ASCII keeps
// case-insensitive uniqueness well defined (SQLite NOCASE folds ASCII only).
func checkUsername(name string) error {
	if name == "" {
		return badParam("username", "missing")
	}
	if len(name) > maxUsernameLen {
		return badParam("username", "longer than 64 characters")
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		alnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		if i == 0 && !alnum {
			return badParam("username", "must start with a letter or digit")
		}
		if !alnum && !strings.ContainsRune("_.@-", rune(ch)) {
			return badParam("username", "only letters, digits and _ . @ - are allowed")
		}
	}
	return nil
}

func checkPassword(field, pw string) error {
	if len(pw) < minPasswordLen {
		return badParam(field, "shorter than 6 characters")
	}
	if len(pw) > maxPasswordLen {
		return badParam(field, "longer than 72 bytes")
	}
	return nil
}

// checkText bounds a free-text field: valid UTF-8, at most maxBytes bytes.
func checkText(field, s string, maxBytes int) error {
	if !utf8.ValidString(s) {
		return badParam(field, "not valid UTF-8")
	}
	if len(s) > maxBytes {
		return badParam(field, "too long")
	}
	return nil
}

func checkNick(field, s string) error {
	if !utf8.ValidString(s) {
		return badParam(field, "not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxNickLen {
		return badParam(field, "longer than 64 characters")
	}
	return nil
}

func checkMobile(s string) error {
	if len(s) > maxMobileLen {
		return badParam("mobile", "too long")
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == ' ') {
			return badParam("mobile", "only digits, +, - and spaces are allowed")
		}
	}
	return nil
}
