package ratel

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/flooim/floo/server/store"
	"golang.org/x/crypto/bcrypt"
)

// Profile is the Profile entity of REST.md §12.
type Profile struct {
	UserID      int64  `json:"user_id"`
	Username    string `json:"username"`
	NickName    string `json:"nick_name"`
	Avatar      string `json:"avatar"`
	Description string `json:"description"`
	Email       string `json:"email"`
	Mobile      string `json:"mobile"`
	PublicInfo  string `json:"public_info"`
	PrivateInfo string `json:"private_info"`
}

// ProfileOf converts a stored user to the Profile entity.
func ProfileOf(u store.User) Profile {
	return Profile{UserID: u.ID, Username: u.Username, NickName: u.NickName, Avatar: u.Avatar,
		Description: u.Description, Email: u.Email, Mobile: u.Mobile, PublicInfo: u.PublicInfo,
		PrivateInfo: u.PrivateInfo}
}

// Settings is the UserSettings entity of REST.md §12.
type Settings struct {
	ID               int64  `json:"id"`
	UserID           int64  `json:"user_id"`
	AuthMode         int32  `json:"auth_mode"`
	AuthQuestion     string `json:"auth_question"`
	AuthAnswer       string `json:"auth_answer"`
	AutoDownload     bool   `json:"auto_download"`
	GroupConfirm     bool   `json:"group_confirm"`
	NoPush           bool   `json:"no_push"`
	NoPushDetail     bool   `json:"no_push_detail"`
	NoPushStartHour  int32  `json:"no_push_start_hour"`
	NoPushEndHour    int32  `json:"no_push_end_hour"`
	SilenceStartTime int32  `json:"silence_start_time"`
	SilenceEndTime   int32  `json:"silence_end_time"`
	NoSounds         bool   `json:"no_sounds"`
	Vibratory        bool   `json:"vibratory"`
	PushNickName     string `json:"push_nick_name"`
	PushToken        string `json:"push_token"`
}

// SettingsOf converts stored settings to the UserSettings entity.
func SettingsOf(s store.UserSettings) Settings {
	return Settings{ID: s.ID, UserID: s.UserID, AuthMode: s.AuthMode, AuthQuestion: s.AuthQuestion,
		AuthAnswer: s.AuthAnswer, AutoDownload: s.AutoDownload, GroupConfirm: s.GroupConfirm,
		NoPush: s.NoPush, NoPushDetail: s.NoPushDetail, NoPushStartHour: s.NoPushStartHour,
		NoPushEndHour: s.NoPushEndHour, SilenceStartTime: s.SilenceStartTime,
		SilenceEndTime: s.SilenceEndTime, NoSounds: s.NoSounds, Vibratory: s.Vibratory,
		PushNickName: s.PushNickName, PushToken: s.PushToken}
}

// DeviceInfo is the Device entity of REST.md §12 with this server's
// extensions for device management screens (server/README.md): when the
// device was last seen, whether it is online now, and whether it is the
// device the request's token was issued to.
type DeviceInfo struct {
	DeviceSN  uint32 `json:"device_sn"`
	Platform  int32  `json:"platform"`
	UserAgent string `json:"user_agent"`
	UserID    int64  `json:"user_id"`
	// LastSeen is the last login or disconnect, in ms.
	LastSeen int64 `json:"last_seen"`
	// Online: the device has an open XSYNC session.
	Online bool `json:"online"`
	// Current: the token of the request was issued for this device's
	// device_guid. A client that knows its own deviceSN should compare
	// that instead: a token issued without device_guid marks none.
	Current bool `json:"current"`
}

func (a *API) registerUserRoutes() {
	a.handle("POST /user/register/v2", public, a.register(false))
	a.handle("POST /user/register/anonymous", public, a.register(true))

	a.handle("GET /user/profile", authed, a.getProfile)
	a.handle("POST /user/profile", authed, a.postProfile)
	a.handle("POST /user/nickname", authed, a.profileField("nick_name", "nick_name"))
	a.handle("POST /user/avatar", authed, a.profileField("avatar", "avatar"))
	a.handle("POST /user/mobile", authed, a.profileField("mobile", "mobile"))

	a.handle("GET /user/settings", authed, a.getSettings)
	a.handle("POST /user/settings", authed, a.postSettings)
	a.handle("POST /user/authmode", authed, a.postAuthMode)
	// The setters take the setting they name as "value": /user/push
	// value=true turns push on (no_push=false), /user/sounds value=false
	// silences (no_sounds=true), and so on.
	a.handle("POST /user/push", authed, a.boolSetting(func(p *store.SettingsPatch, v bool) { p.NoPush = ptr(!v) }))
	a.handle("POST /user/push/detail", authed, a.boolSetting(func(p *store.SettingsPatch, v bool) { p.NoPushDetail = ptr(!v) }))
	a.handle("POST /user/sounds", authed, a.boolSetting(func(p *store.SettingsPatch, v bool) { p.NoSounds = ptr(!v) }))
	a.handle("POST /user/vibratory", authed, a.boolSetting(func(p *store.SettingsPatch, v bool) { p.Vibratory = ptr(v) }))
	a.handle("POST /user/push/nickname", authed, a.pushNickname)
	a.handle("POST /user/push/limit", authed, a.pushLimit)

	a.handle("POST /user/change_password", authed, a.changePassword)
	a.handle("POST /user/delete", authed, a.deleteUser)

	a.handle("GET /user/device/list", authed, a.deviceList)
	a.handle("POST /user/kick", authed, a.kick)
	a.handle("POST /user/device/remove", authed, a.removeDevice)
	a.handle("POST /user/token/bind", authed, a.tokenBind)
	a.handle("POST /user/token/unbind", authed, a.tokenUnbind)
}

func ptr[T any](v T) *T { return &v }

// register serves /user/register/v2 and /user/register/anonymous. The
// anonymous form may omit the user name; one is generated.
func (a *API) register(anonymous bool) HandlerFunc {
	return func(c *Call) (any, error) {
		if err := a.limited(c); err != nil {
			return nil, err
		}
		if !a.opts.OpenRegistration {
			return nil, Fail(CodeNoPermission, "open registration is disabled")
		}
		name, err := c.OptStr("username", "")
		if err != nil {
			return nil, err
		}
		name = strings.TrimSpace(name)
		if name == "" && anonymous {
			var b [8]byte
			rand.Read(b[:])
			name = "anonymous_" + hex.EncodeToString(b[:])
		}
		if err := checkUsername(name); err != nil {
			return nil, err
		}
		pw, err := c.Str("password")
		if err != nil {
			return nil, err
		}
		if err := checkPassword("password", pw); err != nil {
			return nil, err
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(pw), a.opts.BcryptCost)
		if err != nil {
			return nil, err
		}
		now := a.now().UnixMilli()
		u := store.User{Username: name, PasswordHash: hash, Anonymous: anonymous, CreatedAt: now, UpdatedAt: now}
		if err := a.st.CreateUser(c.Ctx, &u); errors.Is(err, store.ErrConflict) {
			return nil, Fail(CodeUserExists, "user already exists")
		} else if err != nil {
			return nil, err
		}
		s, err := a.st.UserSettings(c.Ctx, u.ID)
		if err != nil {
			return nil, err
		}
		return SettingsOf(s), nil
	}
}

// me loads the caller's account.
func (a *API) me(c *Call) (store.User, error) {
	u, err := a.st.UserByID(c.Ctx, c.UID)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Deleted() {
		return store.User{}, errNoUser
	}
	return u, err
}

func (a *API) getProfile(c *Call) (any, error) {
	u, err := a.me(c)
	if err != nil {
		return nil, err
	}
	return ProfileOf(u), nil
}

// profileFields are the fields POST /user/profile accepts, with their checks.
var profileFields = []struct {
	name  string
	check func(string) error
	set   func(*store.ProfilePatch, string)
}{
	{"nick_name", func(s string) error { return checkNick("nick_name", s) }, func(p *store.ProfilePatch, s string) { p.NickName = &s }},
	{"avatar", func(s string) error { return checkText("avatar", s, maxAvatarLen) }, func(p *store.ProfilePatch, s string) { p.Avatar = &s }},
	{"description", func(s string) error { return checkText("description", s, maxTextLen) }, func(p *store.ProfilePatch, s string) { p.Description = &s }},
	{"public_info", func(s string) error { return checkText("public_info", s, maxTextLen) }, func(p *store.ProfilePatch, s string) { p.PublicInfo = &s }},
	{"private_info", func(s string) error { return checkText("private_info", s, maxTextLen) }, func(p *store.ProfilePatch, s string) { p.PrivateInfo = &s }},
	{"email", func(s string) error { return checkText("email", s, maxEmailLen) }, func(p *store.ProfilePatch, s string) { p.Email = &s }},
	{"mobile", checkMobile, func(p *store.ProfilePatch, s string) { p.Mobile = &s }},
}

// publicProfileFields change what friends see; they also trigger the
// roster-side announcement (ProfileHook).
var publicProfileFields = map[string]bool{"nick_name": true, "avatar": true, "description": true, "public_info": true}

// applyProfile validates and stores the given fields, then announces them.
func (a *API) applyProfile(c *Call, names ...string) (any, error) {
	var p store.ProfilePatch
	changed := map[string]any{}
	for _, f := range profileFields {
		if !contains(names, f.name) || !c.Has(f.name) {
			continue
		}
		v, err := c.Str(f.name)
		if err != nil {
			return nil, err
		}
		if f.name == "mobile" {
			v = strings.TrimSpace(v)
		}
		if err := f.check(v); err != nil {
			return nil, err
		}
		f.set(&p, v)
		changed[f.name] = v
	}
	if len(changed) == 0 {
		return true, nil
	}
	err := a.st.UpdateProfile(c.Ctx, c.UID, p, a.now().UnixMilli())
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, Fail(CodeUserExists, "mobile already used by another user")
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoUser
	case err != nil:
		return nil, err
	}
	a.profileChanged(c, changed)
	return true, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (a *API) postProfile(c *Call) (any, error) {
	return a.applyProfile(c, "nick_name", "avatar", "description", "public_info", "private_info")
}

// profileField serves the single-field setters (/user/nickname …), whose
// parameter is required.
func (a *API) profileField(param, field string) HandlerFunc {
	return func(c *Call) (any, error) {
		if !c.Has(param) {
			if _, err := c.Str(param); err != nil {
				return nil, err
			}
		}
		return a.applyProfile(c, field)
	}
}

// ProfileHook is called after a user's profile changed, with the changed
// fields in their JSON names. The roster domain registers one (AddProfileHook)
// to send roster INFO_UPDATED to friends (REST.md §6, PROTOCOL.md §13.2).
type ProfileHook func(c *Call, changed map[string]any)

// AddProfileHook registers h. Call it only while registering routes.
func (a *API) AddProfileHook(h ProfileHook) { a.profileHooks = append(a.profileHooks, h) }

// profileChanged sends user INFO_UPDATED to the caller's other devices and
// runs the profile hooks for public fields.
func (a *API) profileChanged(c *Call, changed map[string]any) {
	a.notifyOwnDevices(c, UserNoticeInfoUpdated, changed)
	public := map[string]any{}
	for k, v := range changed {
		if publicProfileFields[k] {
			public[k] = v
		}
	}
	if len(public) > 0 {
		for _, h := range a.profileHooks {
			h(c, public)
		}
	}
}

// CallerDevice returns the deviceSN the caller's token belongs to (through
// its device_guid), or 0 when it is unknown.
func (a *API) CallerDevice(c *Call) uint32 {
	if c.DeviceGUID == "" {
		return 0
	}
	d, err := a.st.DeviceByGUID(c.Ctx, c.UID, c.DeviceGUID)
	if err != nil {
		return 0
	}
	return d.SN
}

// notifyOwnDevices stores a user notice for the caller's other devices.
// Failures are logged: the change itself is already committed.
func (a *API) notifyOwnDevices(c *Call, typ int32, content map[string]any) {
	sn := a.CallerDevice(c)
	b, _ := json.Marshal(content)
	err := a.notify.Notify(c.Ctx, Notice{
		To: []int64{c.UID}, From: c.UID, FromDevice: sn, NS: NSUserNotice,
		Payload: UserNoticePayload(typ, string(b)), SkipDevice: sn,
	})
	if err != nil {
		a.log.Warn("ratel: notify failed", "uid", c.UID, "type", typ, "err", err)
	}
}

func (a *API) getSettings(c *Call) (any, error) {
	s, err := a.st.UserSettings(c.Ctx, c.UID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, err
	}
	return SettingsOf(s), nil
}

// updateSettings stores p and tells the other devices which fields changed.
func (a *API) updateSettings(c *Call, p store.SettingsPatch, changed map[string]any) (any, error) {
	if len(changed) == 0 {
		return true, nil
	}
	_, err := a.st.UpdateUserSettings(c.Ctx, c.UID, p)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoUser
	}
	if err != nil {
		return nil, err
	}
	a.notifyOwnDevices(c, UserNoticeInfoUpdated, changed)
	return true, nil
}

func checkAuthMode(v int64) error {
	if v < 0 || v > 3 {
		return badParam("auth_mode", "must be 0, 1, 2 or 3")
	}
	return nil
}

func checkHour(field string, v int64) error {
	if v < 0 || v > 23 {
		return badParam(field, "must be an hour 0-23")
	}
	return nil
}

// postSettings applies the UserSettings fields present in the request.
func (a *API) postSettings(c *Call) (any, error) {
	if c.Has("user_id") {
		uid, err := c.Int("user_id")
		if err != nil {
			return nil, err
		}
		if uid != c.UID {
			return nil, Fail(CodeNoPermission, "cannot change another user's settings")
		}
	}
	var p store.SettingsPatch
	changed := map[string]any{}
	ints := []struct {
		name  string
		check func(int64) error
		dst   **int32
	}{
		{"auth_mode", checkAuthMode, &p.AuthMode},
		{"no_push_start_hour", func(v int64) error { return checkHour("no_push_start_hour", v) }, &p.NoPushStartHour},
		{"no_push_end_hour", func(v int64) error { return checkHour("no_push_end_hour", v) }, &p.NoPushEndHour},
		{"silence_start_time", func(v int64) error { return checkHour("silence_start_time", v) }, &p.SilenceStartTime},
		{"silence_end_time", func(v int64) error { return checkHour("silence_end_time", v) }, &p.SilenceEndTime},
	}
	for _, f := range ints {
		if !c.Has(f.name) {
			continue
		}
		v, err := c.Int(f.name)
		if err != nil {
			return nil, err
		}
		if err := f.check(v); err != nil {
			return nil, err
		}
		*f.dst = ptr(int32(v))
		changed[f.name] = v
	}
	bools := []struct {
		name string
		dst  **bool
	}{
		{"auto_download", &p.AutoDownload}, {"group_confirm", &p.GroupConfirm},
		{"no_push", &p.NoPush}, {"no_push_detail", &p.NoPushDetail},
		{"no_sounds", &p.NoSounds}, {"vibratory", &p.Vibratory},
	}
	for _, f := range bools {
		if !c.Has(f.name) {
			continue
		}
		v, err := c.Bool(f.name)
		if err != nil {
			return nil, err
		}
		*f.dst = ptr(v)
		changed[f.name] = v
	}
	strs := []struct {
		name string
		dst  **string
	}{
		{"auth_question", &p.AuthQuestion}, {"auth_answer", &p.AuthAnswer},
		{"push_nick_name", &p.PushNickName}, {"push_token", &p.PushToken},
	}
	for _, f := range strs {
		if !c.Has(f.name) {
			continue
		}
		v, err := c.Str(f.name)
		if err != nil {
			return nil, err
		}
		if err := checkText(f.name, v, maxShortLen); err != nil {
			return nil, err
		}
		*f.dst = ptr(v)
		if f.name != "auth_answer" { // the answer stays off the wire
			changed[f.name] = v
		}
	}
	if p.AuthAnswer != nil && len(changed) == 0 {
		changed["auth_answer"] = true
	}
	return a.updateSettings(c, p, changed)
}

// postAuthMode serves POST /user/authmode (value 0–3).
func (a *API) postAuthMode(c *Call) (any, error) {
	v, err := c.Int("value")
	if err != nil {
		return nil, err
	}
	if err := checkAuthMode(v); err != nil {
		return nil, err
	}
	return a.updateSettings(c, store.SettingsPatch{AuthMode: ptr(int32(v))}, map[string]any{"auth_mode": v})
}

// boolSetting serves a boolean setter taking "value".
func (a *API) boolSetting(set func(*store.SettingsPatch, bool)) HandlerFunc {
	return func(c *Call) (any, error) {
		v, err := c.Bool("value")
		if err != nil {
			return nil, err
		}
		var p store.SettingsPatch
		set(&p, v)
		changed := map[string]any{}
		if p.NoPush != nil {
			changed["no_push"] = *p.NoPush
		}
		if p.NoPushDetail != nil {
			changed["no_push_detail"] = *p.NoPushDetail
		}
		if p.NoSounds != nil {
			changed["no_sounds"] = *p.NoSounds
		}
		if p.Vibratory != nil {
			changed["vibratory"] = *p.Vibratory
		}
		return a.updateSettings(c, p, changed)
	}
}

func (a *API) pushNickname(c *Call) (any, error) {
	v, err := c.Str("value")
	if err != nil {
		return nil, err
	}
	if err := checkNick("value", v); err != nil {
		return nil, err
	}
	return a.updateSettings(c, store.SettingsPatch{PushNickName: &v}, map[string]any{"push_nick_name": v})
}

func (a *API) pushLimit(c *Call) (any, error) {
	start, err := c.Int("no_push_start_hour")
	if err != nil {
		return nil, err
	}
	end, err := c.Int("no_push_end_hour")
	if err != nil {
		return nil, err
	}
	if err := checkHour("no_push_start_hour", start); err != nil {
		return nil, err
	}
	if err := checkHour("no_push_end_hour", end); err != nil {
		return nil, err
	}
	return a.updateSettings(c, store.SettingsPatch{NoPushStartHour: ptr(int32(start)), NoPushEndHour: ptr(int32(end))},
		map[string]any{"no_push_start_hour": start, "no_push_end_hour": end})
}

// checkOwnPassword verifies pw against the caller's stored hash.
func (a *API) checkOwnPassword(c *Call, field string) (store.User, error) {
	pw, err := c.Str(field)
	if err != nil {
		return store.User{}, err
	}
	u, err := a.me(c)
	if err != nil {
		return store.User{}, err
	}
	// Throttled like logins: a stolen token must not become a way to
	// guess the password.
	err = a.checkPasswordThrottled(c, accountKey(c.UID), true, func() error {
		if len(pw) > maxPasswordLen || bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(pw)) != nil {
			return badParam(field, "does not match")
		}
		return nil
	})
	if err != nil {
		return store.User{}, err
	}
	return u, nil
}

// changePassword: {old_password, new_password}. A wrong old password is 10002.
// Every other token is revoked and every other device gets PASSWORD_CHANGED
// and is disconnected: with its token gone it could not log in again anyway.
func (a *API) changePassword(c *Call) (any, error) {
	if _, err := a.checkOwnPassword(c, "old_password"); err != nil {
		return nil, err
	}
	npw, err := c.Str("new_password")
	if err != nil {
		return nil, err
	}
	if err := checkPassword("new_password", npw); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(npw), a.opts.BcryptCost)
	if err != nil {
		return nil, err
	}
	if err := a.st.SetPasswordHash(c.Ctx, c.UID, hash, a.now().UnixMilli()); err != nil {
		return nil, err
	}
	if _, err := a.st.DeleteUserTokens(c.Ctx, c.UID, store.HashToken(c.Token)); err != nil {
		return nil, err
	}
	devs, err := a.st.ListDevices(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	self := a.CallerDevice(c)
	for _, d := range devs {
		if d.SN != self {
			a.notify.KickDevice(c.Ctx, c.UID, d.SN, UserNoticePasswordChanged, deviceContent(d.SN))
		}
	}
	// Any session left running on a revoked token (one the kicks could not
	// name) ends too.
	a.notify.TokensRevoked(c.Ctx, c.UID)
	return true, nil
}

func deviceContent(sn uint32) string {
	return `{"device_sn":` + strconv.FormatUint(uint64(sn), 10) + `}`
}

// deleteUser: {password}. The account is marked deleted (its name becomes
// free), its tokens and devices are removed and every device gets REMOVED.
func (a *API) deleteUser(c *Call) (any, error) {
	if _, err := a.checkOwnPassword(c, "password"); err != nil {
		return nil, err
	}
	if err := a.st.DeleteUser(c.Ctx, c.UID, a.now().UnixMilli()); errors.Is(err, store.ErrNotFound) {
		return nil, errNoUser
	} else if err != nil {
		return nil, err
	}
	a.notify.KickDevice(c.Ctx, c.UID, 0, UserNoticeRemoved, "{}")
	return true, nil
}

func (a *API) deviceList(c *Call) (any, error) {
	devs, err := a.st.ListDevices(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	online := map[uint32]bool{}
	if a.opts.Presence != nil {
		for _, sn := range a.opts.Presence.OnlineDevices(c.UID) {
			online[sn] = true
		}
	}
	out := make([]DeviceInfo, 0, len(devs))
	for _, d := range devs {
		out = append(out, DeviceInfo{DeviceSN: d.SN, Platform: d.Platform, UserAgent: d.UserAgent, UserID: d.UserID,
			LastSeen: d.LastSeen, Online: online[d.SN], Current: c.DeviceGUID != "" && d.GUID == c.DeviceGUID})
	}
	return out, nil
}

// deviceSN reads a deviceSN parameter.
func deviceSN(c *Call, name string) (uint32, error) {
	v, err := c.Int(name)
	if err != nil {
		return 0, err
	}
	if v <= 0 || v > 1<<32-1 {
		return 0, badParam(name, "not a device serial number")
	}
	return uint32(v), nil
}

// dropDevice unregisters a device, revokes the tokens issued to its
// installation and tells it why (KickDevice closes its connection).
func (a *API) dropDevice(c *Call, d store.Device, noticeType int32) error {
	if err := a.st.RemoveDevice(c.Ctx, c.UID, d.SN); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := a.st.DeleteDeviceTokens(c.Ctx, c.UID, d.GUID); err != nil {
		return err
	}
	a.notify.KickDevice(c.Ctx, c.UID, d.SN, noticeType, deviceContent(d.SN))
	a.notify.TokensRevoked(c.Ctx, c.UID)
	return nil
}

// kick: device_sn, omitted = every other device (PROTOCOL.md §14). Kicking
// an unregistered device succeeds: "quit all web" loops may race.
func (a *API) kick(c *Call) (any, error) {
	devs, err := a.st.ListDevices(c.Ctx, c.UID)
	if err != nil {
		return nil, err
	}
	if c.Has("device_sn") {
		sn, err := deviceSN(c, "device_sn")
		if err != nil {
			return nil, err
		}
		for _, d := range devs {
			if d.SN == sn {
				return true, a.dropDevice(c, d, UserNoticeKickedByOtherDevice)
			}
		}
		return true, nil
	}
	self := a.CallerDevice(c)
	for _, d := range devs {
		if d.SN == self {
			continue
		}
		if err := a.dropDevice(c, d, UserNoticeKickedByOtherDevice); err != nil {
			return nil, err
		}
	}
	return true, nil
}

// removeDevice: device_sn; the device gets DEVICE_REMOVED.
func (a *API) removeDevice(c *Call) (any, error) {
	sn, err := deviceSN(c, "device_sn")
	if err != nil {
		return nil, err
	}
	d, err := a.st.Device(c.Ctx, c.UID, sn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, badParam("device_sn", "no such device")
	}
	if err != nil {
		return nil, err
	}
	return true, a.dropDevice(c, d, UserNoticeDeviceRemoved)
}

// tokenBind: {device_sn, device_token, notifier_name}. This server sends no
// pushes; the binding is stored for completeness. An unknown device is
// accepted and ignored.
func (a *API) tokenBind(c *Call) (any, error) {
	sn, err := deviceSN(c, "device_sn")
	if err != nil {
		return nil, err
	}
	tok, err := c.OptStr("device_token", "")
	if err != nil {
		return nil, err
	}
	notifier, err := c.OptStr("notifier_name", "")
	if err != nil {
		return nil, err
	}
	if err := checkText("device_token", tok, maxShortLen); err != nil {
		return nil, err
	}
	if err := checkText("notifier_name", notifier, maxShortLen); err != nil {
		return nil, err
	}
	err = a.st.SetDevicePushToken(c.Ctx, c.UID, sn, tok, notifier)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return true, nil
}

// tokenUnbind: deviceSn (sic). Clears the push binding.
func (a *API) tokenUnbind(c *Call) (any, error) {
	name := "deviceSn"
	if !c.Has(name) {
		name = "device_sn"
	}
	sn, err := deviceSN(c, name)
	if err != nil {
		return nil, err
	}
	err = a.st.SetDevicePushToken(c.Ctx, c.UID, sn, "", "")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return true, nil
}
