package core

import (
	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// credentials are what the SDK holds to fetch a new token by itself, which
// makes INVALID_TOKEN recoverable (ERRORS.md §6.1). A token login has none.
type credentials struct {
	_        noCompare
	name     string // user name or mobile, for /token/user
	uid      uint64 // user id, for /token/id when name is ""
	password string
}

// TokenData is the reply of the token endpoints (REST.md §5). Only Token
// and UserID are used by the engine; the rest is kept for the facade.
type TokenData struct {
	_               noCompare
	Token           string
	UserID          uint64
	Expire          int64 // ms timestamp
	PublicKey       string
	EncryptType     int64
	PushToken       string
	StoreToken      string
	AccessKeySecret string
}

// parseTokenData validates a TokenData object: a reply without token or
// user_id is ServerTokenResponseInvalid (ERRORS.md §4.2).
func parseTokenData(data jsonv.Value, url string) (TokenData, error) {
	var t TokenData
	t.Token, _ = data.Get("token").Str()
	t.UserID, _ = data.Get("user_id").AsUint64()
	if t.Token == "" || t.UserID == 0 {
		e := NewError(ServerTokenResponseInvalid, "token reply without token or user_id")
		e.Source = SourceREST
		e.URL = url
		return TokenData{}, e
	}
	t.Expire, _ = data.Get("expire").AsInt64()
	t.PublicKey, _ = data.Get("public_key").AsString()
	t.EncryptType, _ = data.Get("encrypt_type").AsInt64()
	t.PushToken, _ = data.Get("push_token").AsString()
	t.StoreToken, _ = data.Get("store_token").AsString()
	t.AccessKeySecret, _ = data.Get("access_key_secret").AsString()
	return t, nil
}

// fetchToken asks /token/user or /token/id for a token (REST.md §5).
// guid is the device_guid to send, "" to omit it.
func (c *Client) fetchToken(ctx lite.Context, cr *credentials, guid string) (TokenData, error) {
	var w jsonv.Writer
	w.BeginObject()
	path := "/token/user"
	if cr.name != "" {
		w.Key("name")
		w.String(cr.name)
	} else {
		path = "/token/id"
		w.Key("user_id")
		w.Uint(cr.uid)
	}
	w.Key("password")
	w.String(cr.password)
	if guid != "" {
		w.Key("device_guid")
		w.String(guid)
	}
	w.EndObject()
	data, err := c.rest.call(ctx, RESTRequest{Method: "POST", Path: path, Body: w.Bytes()}, true)
	if err != nil {
		return TokenData{}, err
	}
	return parseTokenData(data, c.rest.baseURL()+path)
}

// TokenUser calls POST /token/user without logging in (asyncTokenUser).
func (c *Client) TokenUser(ctx lite.Context, name, password string) (TokenData, error) {
	if name == "" || password == "" {
		return TokenData{}, ClientError("name and password are required")
	}
	if err := c.waitDNS(ctx); err != nil {
		return TokenData{}, err
	}
	return c.fetchToken(ctx, &credentials{name: name, password: password}, "")
}

// TokenID calls POST /token/id without logging in (asyncTokenId).
func (c *Client) TokenID(ctx lite.Context, uid uint64, password string) (TokenData, error) {
	if uid == 0 || password == "" {
		return TokenData{}, ClientError("user id and password are required")
	}
	if err := c.waitDNS(ctx); err != nil {
		return TokenData{}, err
	}
	return c.fetchToken(ctx, &credentials{uid: uid, password: password}, "")
}
