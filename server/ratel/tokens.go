package ratel

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/flooim/floo/server/store"
	"golang.org/x/crypto/bcrypt"
)

// TokenData is the reply of the token endpoints (REST.md §5).
type TokenData struct {
	Token           string `json:"token"`
	UserID          int64  `json:"user_id"`
	Expire          int64  `json:"expire"` // ms
	PublicKey       string `json:"public_key"`
	EncryptType     int    `json:"encrypt_type"`
	PushToken       string `json:"push_token"`
	StoreToken      string `json:"store_token"`
	AccessKeySecret string `json:"access_key_secret"`
}

func (a *API) registerTokenRoutes() {
	a.handle("POST /token/user", public, a.tokenUser)
	a.handle("POST /token/id", public, a.tokenID)
	a.handle("POST /token/login", public, a.tokenLogin)
}

// errWrongPassword is the Recommended reply to a wrong password (ERRORS.md §4.2).
var errWrongPassword = Fail(CodeBadParam, "wrong password")

var errNoUser = Fail(CodeUserNotExist, "user does not exist")

// tokenUser: {name, password, device_guid?}, mobile may replace name.
func (a *API) tokenUser(c *Call) (any, error) {
	if err := a.limited(c); err != nil {
		return nil, err
	}
	name, err := c.OptStr("name", "")
	if err != nil {
		return nil, err
	}
	var u store.User
	switch {
	case name != "":
		u, err = a.st.UserByName(c.Ctx, name)
	case c.Has("mobile"):
		var m string
		if m, err = c.Str("mobile"); err == nil {
			u, err = a.st.UserByMobile(c.Ctx, strings.TrimSpace(m))
		}
	default:
		return nil, badParam("name", "missing")
	}
	return a.login(c, u, err)
}

// tokenID: {user_id, password, device_guid?}.
func (a *API) tokenID(c *Call) (any, error) {
	if err := a.limited(c); err != nil {
		return nil, err
	}
	uid, err := c.Int("user_id")
	if err != nil {
		return nil, err
	}
	u, err := a.st.UserByID(c.Ctx, uid)
	if err == nil && u.Deleted() {
		err = store.ErrNotFound
	}
	return a.login(c, u, err)
}

// tokenLogin: {login_name, password, device_guid?}; login_name is a user
// name, a mobile or an e-mail address, tried in that order.
func (a *API) tokenLogin(c *Call) (any, error) {
	if err := a.limited(c); err != nil {
		return nil, err
	}
	ln, err := c.Str("login_name")
	if err != nil {
		return nil, err
	}
	ln = strings.TrimSpace(ln)
	u, err := a.st.UserByName(c.Ctx, ln)
	if errors.Is(err, store.ErrNotFound) {
		u, err = a.st.UserByMobile(c.Ctx, ln)
	}
	if errors.Is(err, store.ErrNotFound) && strings.Contains(ln, "@") {
		u, err = a.st.UserByEmail(c.Ctx, ln)
	}
	return a.login(c, u, err)
}

// login checks the password of a looked-up user and issues a token.
func (a *API) login(c *Call, u store.User, lookupErr error) (any, error) {
	pw, err := c.Str("password")
	if err != nil {
		return nil, err
	}
	if errors.Is(lookupErr, store.ErrNotFound) {
		return nil, errNoUser
	}
	if lookupErr != nil {
		return nil, lookupErr
	}
	if len(pw) > maxPasswordLen || bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(pw)) != nil {
		return nil, errWrongPassword
	}
	guid, err := c.OptStr("device_guid", "")
	if err != nil {
		return nil, err
	}
	if len(guid) > maxGUIDLen {
		return nil, badParam("device_guid", "too long")
	}
	return a.issueToken(c, u.ID, guid)
}

// newToken returns 32 random bytes, base64url-encoded (43 characters).
func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// issueToken stores a fresh token for uid and returns the TokenData.
func (a *API) issueToken(c *Call, uid int64, guid string) (TokenData, error) {
	tok := newToken()
	now := a.now()
	exp := now.Add(a.opts.TokenTTL).UnixMilli()
	err := a.st.CreateToken(c.Ctx, store.Token{
		Hash: store.HashToken(tok), UserID: uid, DeviceGUID: guid,
		CreatedAt: now.UnixMilli(), ExpiresAt: exp,
	})
	if err != nil {
		return TokenData{}, err
	}
	return TokenData{Token: tok, UserID: uid, Expire: exp}, nil
}
