package ratel

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
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
	a.handle("POST /token/revoke", authed, a.tokenRevoke) // project extension: logout
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
	var ident string
	switch {
	case name != "":
		ident = identifierKey("name", name)
		u, err = a.st.UserByName(c.Ctx, name)
	case c.Has("mobile"):
		var m string
		if m, err = c.Str("mobile"); err != nil {
			return nil, err
		}
		ident = identifierKey("mobile", m)
		u, err = a.st.UserByMobile(c.Ctx, strings.TrimSpace(m))
	default:
		return nil, badParam("name", "missing")
	}
	return a.login(c, u, err, ident)
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
	return a.login(c, u, err, identifierKey("id", strconv.FormatInt(uid, 10)))
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
	return a.login(c, u, err, identifierKey("login", ln))
}

// login checks the password of a looked-up user and issues a token. The
// check is throttled per account, or per identifier (ident) when it names
// no account (throttle.go).
func (a *API) login(c *Call, u store.User, lookupErr error, ident string) (any, error) {
	pw, err := c.Str("password")
	if err != nil {
		return nil, err
	}
	if lookupErr != nil && !errors.Is(lookupErr, store.ErrNotFound) {
		return nil, lookupErr
	}
	key, account := ident, false
	if lookupErr == nil {
		key, account = accountKey(u.ID), true
	}
	err = a.checkPasswordThrottled(c, key, account, func() error {
		switch {
		case lookupErr != nil:
			return errNoUser
		case len(pw) > maxPasswordLen || bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(pw)) != nil:
			return errWrongPassword
		}
		return nil
	})
	if err != nil {
		return nil, err
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

// tokenRevoke serves POST /token/revoke, the logout the REST API of REST.md
// lacks (a project extension, server/README.md): the token it is called
// with stops working at once, and the device it was used on is logged out,
// so it no longer counts towards the device limit. The device is the one
// registered for the token's device_guid; a token issued without one cannot
// name its device, so the client may name it in device_sn (only its own
// account's devices, as with /user/kick). Every token issued for that
// device's guid is revoked with it. Live sessions on a revoked token get
// INVALID_TOKEN and are closed.
func (a *API) tokenRevoke(c *Call) (any, error) {
	var dev *store.Device
	switch {
	case c.DeviceGUID != "":
		d, err := a.st.DeviceByGUID(c.Ctx, c.UID, c.DeviceGUID)
		if err == nil {
			dev = &d
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	case c.Has("device_sn"):
		sn, err := deviceSN(c, "device_sn")
		if err != nil {
			return nil, err
		}
		d, err := a.st.Device(c.Ctx, c.UID, sn)
		if err == nil {
			dev = &d
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if _, err := a.st.DeleteToken(c.Ctx, store.HashToken(c.Token)); err != nil {
		return nil, err
	}
	guid := c.DeviceGUID
	if dev != nil {
		if err := a.st.RemoveDevice(c.Ctx, c.UID, dev.SN); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		guid = dev.GUID
	}
	if _, err := a.st.DeleteDeviceTokens(c.Ctx, c.UID, guid); err != nil {
		return nil, err
	}
	a.notify.TokensRevoked(c.Ctx, c.UID)
	return true, nil
}
