package core

import "github.com/flooim/floo/core/jsonv"

// This file holds the REST entities of REST.md §12 as Go structs. Each
// field's comment names its JSON key. Parsing is lenient, as the official
// clients are: a missing or mistyped field is left at its zero value, ids and
// numbers may arrive as JSON numbers or decimal strings, booleans as
// true/false or "true"/"false" (REST.md §2.3).
//
// Every struct keeps the object it was parsed from in Raw, so that the
// JavaScript facade can hand applications the official object with any
// field this version does not know about.

// Relations of a RosterItem (relation).
const (
	RelationFriend        = 0
	RelationDeletedFriend = 1
	RelationStranger      = 2
	RelationBlocked       = 3
)

// Authentication modes of a user (auth_mode): how friend requests are
// handled.
const (
	AuthModeAnyone    = 0 // anyone may add the user
	AuthModeApproval  = 1 // requests need the user's approval
	AuthModeQuestion  = 2 // the requester must answer a question
	AuthModeRejectAll = 3 // every request is rejected
)

// Group types (type).
const (
	GroupTypePrivate   = 0
	GroupTypePublic    = 1
	GroupTypeChatroom  = 2
	GroupTypeTemporary = 3
)

// Application and invitation states (status).
const (
	RequestPending  = 0
	RequestAccepted = 1
	RequestDeclined = 2
)

// Profile is the logged-in user's profile (GET /user/profile).
type Profile struct {
	UserID      uint64 // user_id
	Username    string // username: the login name
	NickName    string // nick_name
	Avatar      string // avatar: an object name or a URL (see SysManager.ImageURL)
	Description string // description
	Email       string // email
	Mobile      string // mobile
	PublicInfo  string // public_info: visible to friends and strangers
	PrivateInfo string // private_info: visible to the user only
	Raw         jsonv.Value
}

// UserSettings are the user's settings (GET /user/settings, and the reply
// of the registration endpoints).
type UserSettings struct {
	ID               uint64 // id: the settings record
	UserID           uint64 // user_id
	AuthMode         int    // auth_mode: AuthModeAnyone ... AuthModeRejectAll
	AuthQuestion     string // auth_question, for AuthModeQuestion
	AuthAnswer       string // auth_answer, for AuthModeQuestion
	AutoDownload     bool   // auto_download
	GroupConfirm     bool   // group_confirm: group invitations need the user's consent
	NoPush           bool   // no_push: push notifications off
	NoPushDetail     bool   // no_push_detail: push without message details
	NoPushStartHour  int    // no_push_start_hour: do-not-disturb window, 0-23
	NoPushEndHour    int    // no_push_end_hour
	SilenceStartTime int    // silence_start_time: silent window, 0-23
	SilenceEndTime   int    // silence_end_time
	NoSounds         bool   // no_sounds
	Vibratory        bool   // vibratory
	PushNickName     string // push_nick_name
	PushToken        string // push_token
	Raw              jsonv.Value
}

// Device is one registered device of the user (GET /user/device/list).
type Device struct {
	DeviceSN  uint64 // device_sn
	Platform  int    // platform: 1 iOS, 2 Android, 3 Windows, 4 macOS, 5 Linux, 6 web
	UserAgent string // user_agent: the device_info sent at Provision
	UserID    uint64 // user_id
	// Extensions of the reference server (server/README.md "Devices"); zero
	// from servers without them.
	LastSeen uint64 // last_seen: last login or disconnect, ms
	Online   bool   // online: the device has an open session
	Current  bool   // current: the token of the request was issued for this device
	Raw      jsonv.Value
}

// RosterItem is a user as seen by the logged-in user: public profile plus
// the caller's own settings for that user (REST.md §12).
type RosterItem struct {
	UserID           uint64 // user_id
	Username         string // username
	NickName         string // nick_name
	Avatar           string // avatar: object name or URL
	Description      string // description
	PublicInfo       string // public_info
	Alias            string // alias: the caller's name for this user
	Ext              string // ext: the caller's extension data for this user
	MuteNotification bool   // mute_notification: the caller muted this user
	AuthMode         int    // auth_mode: how this user accepts friend requests
	AuthQuestion     string // auth_question
	Relation         int    // relation: RelationFriend ... RelationBlocked
	Raw              jsonv.Value
}

// RosterApplication is a pending or decided friend request
// (GET /roster/apply/list).
type RosterApplication struct {
	UserID      uint64 // user_id: the applicant
	Reason      string // reason
	Status      int    // status: RequestPending, RequestAccepted or RequestDeclined
	ExpiredTime int64  // expired_time, ms
	Raw         jsonv.Value
}

// GroupInfo is a group's information and settings (GET /group/info,
// GET /group/settings). The briefs of POST /group/info/batch parse into
// it too, with only their fields set (their "owner" fills OwnerID).
type GroupInfo struct {
	GroupID        uint64 // group_id
	Name           string // name
	Avatar         string // avatar: object name or URL
	Description    string // description
	Ext            string // ext
	OwnerID        uint64 // owner_id ("owner" in briefs)
	Type           int    // type: GroupTypePrivate ... GroupTypeTemporary
	Status         int    // status: 0 normal, 1 destroyed
	CreatedAt      int64  // created_at, ms
	UpdatedAt      int64  // updated_at, ms
	Capacity       int    // capacity: maximum member count
	Count          int    // count: current member count
	ApplyApproval  int    // apply_approval: 0 accept all, 1 admin approves, 2 reject all
	MemberInvite   bool   // member_invite: members may invite
	MemberModify   bool   // member_modify: members may edit the group info
	HistoryVisible bool   // history_visible: new members see earlier history
	HideMemberInfo bool   // hide_member_info
	ReadAck        bool   // read_ack: group read receipts on
	MsgMuteMode    int    // msg_mute_mode, the caller's: 0 normal, 1 no local notification, 2 do not receive
	MsgPushMode    int    // msg_push_mode, the caller's: 0 all, 1 none, 2 admins and mentions, 3 admins only, 4 mentions only
	BanExpireTime  int64  // ban_expire_time: whole-group ban, 0 none, -1 without end, else the expiry
	Raw            jsonv.Value
}

// Member is a group member (member, admin and banned lists).
type Member struct {
	UserID      uint64 // user_id
	DisplayName string // display_name: the member's card name in the group
	JoinTime    int64  // join_time, ms
	ExpiredTime int64  // expired_time, ms: the end of the member's ban, in banned lists
	Avatar      string // avatar, when the server sends it
	Raw         jsonv.Value
}

// BlockedMember is an entry of a group's block list.
type BlockedMember struct {
	UserID    uint64 // user_id
	GroupID   uint64 // group_id
	CreatedAt string // created_at: a date-time string
	Raw       jsonv.Value
}

// GroupResult is the per-user outcome of a group membership call; the call
// itself succeeds even when some users fail.
type GroupResult struct {
	UserID uint64 // user_id
	Result string // result: "success" or "fail"
	Reason string // reason, for failures
	Raw    jsonv.Value
}

// OK reports whether the result is "success".
func (r GroupResult) OK() bool { return r.Result == "success" }

// GroupApplication is a request to join a group.
type GroupApplication struct {
	GroupID     uint64 // group_id
	ApplicantID uint64 // applicant_id
	Reason      string // reason
	Status      int    // status: RequestPending, RequestAccepted or RequestDeclined
	ExpiredTime int64  // expired_time, ms
	Raw         jsonv.Value
}

// GroupInvitation is an invitation to a group.
type GroupInvitation struct {
	GroupID     uint64 // group_id
	InviterID   uint64 // inviter_id
	InviteeID   uint64 // invitee_id
	Reason      string // reason
	Status      int    // status: RequestPending, RequestAccepted or RequestDeclined
	ExpiredTime int64  // expired_time, ms
	UpdatedAt   string // updated_at: a date-time string
	Raw         jsonv.Value
}

// Announcement is a group announcement.
type Announcement struct {
	ID        uint64 // id
	GroupID   uint64 // group_id
	Author    uint64 // author: uid
	Title     string // title
	Content   string // content
	CreatedAt int64  // created_at, ms
	Raw       jsonv.Value
}

// SharedFile is a file shared in a group.
type SharedFile struct {
	FileID    uint64 // file_id
	GroupID   uint64 // group_id
	Name      string // name
	Size      int64  // size, bytes
	Type      string // type
	URL       string // url: the download URL
	Uploader  uint64 // uploader: uid
	CreatedAt int64  // created_at, ms
	UpdatedAt int64  // updated_at, ms
	Raw       jsonv.Value
}

// SharedFileResult is the per-file outcome of deleting shared files.
type SharedFileResult struct {
	FileID uint64 // file_id
	Result string // result: "success" or "fail"
	Reason string // reason, for failures
	Raw    jsonv.Value
}

// OK reports whether the result is "success".
func (r SharedFileResult) OK() bool { return r.Result == "success" }

// UploadSlot is where and how to upload a file (REST.md §9.1).
type UploadSlot struct {
	UploadURL    string      // upload_url: where to POST the multipart form
	DownloadURL  string      // download_url: the permanent URL the file will have
	UploadMethod string      // upload_method: "POST" or "PUT" (the clients always POST)
	OSSBodyParam jsonv.Value // oss_body_param: form fields to send before the file when it has a key
	Raw          jsonv.Value
}

// Lenient field readers.

func jStr(v jsonv.Value, key string) string {
	s, _ := v.Get(key).AsString()
	return s
}

func jID(v jsonv.Value, key string) uint64 {
	id, _ := v.Get(key).AsUint64()
	return id
}

func jInt(v jsonv.Value, key string) int64 {
	n, _ := v.Get(key).AsInt64()
	return n
}

func jBool(v jsonv.Value, key string) bool {
	b, ok := v.Get(key).AsBool()
	if !ok {
		// Some servers store flags as 0/1.
		n, isNum := v.Get(key).AsInt64()
		return isNum && n != 0
	}
	return b
}

// parseList parses every object of the array v with parse.
func parseList[T any](v jsonv.Value, parse func(jsonv.Value) T) []T {
	out := make([]T, 0, v.Len())
	for _, e := range v.Elements() {
		out = append(out, parse(e))
	}
	return out
}

func parseProfile(v jsonv.Value) Profile {
	return Profile{
		UserID:      jID(v, "user_id"),
		Username:    jStr(v, "username"),
		NickName:    jStr(v, "nick_name"),
		Avatar:      jStr(v, "avatar"),
		Description: jStr(v, "description"),
		Email:       jStr(v, "email"),
		Mobile:      jStr(v, "mobile"),
		PublicInfo:  jStr(v, "public_info"),
		PrivateInfo: jStr(v, "private_info"),
		Raw:         v,
	}
}

func parseUserSettings(v jsonv.Value) UserSettings {
	return UserSettings{
		ID:               jID(v, "id"),
		UserID:           jID(v, "user_id"),
		AuthMode:         int(jInt(v, "auth_mode")),
		AuthQuestion:     jStr(v, "auth_question"),
		AuthAnswer:       jStr(v, "auth_answer"),
		AutoDownload:     jBool(v, "auto_download"),
		GroupConfirm:     jBool(v, "group_confirm"),
		NoPush:           jBool(v, "no_push"),
		NoPushDetail:     jBool(v, "no_push_detail"),
		NoPushStartHour:  int(jInt(v, "no_push_start_hour")),
		NoPushEndHour:    int(jInt(v, "no_push_end_hour")),
		SilenceStartTime: int(jInt(v, "silence_start_time")),
		SilenceEndTime:   int(jInt(v, "silence_end_time")),
		NoSounds:         jBool(v, "no_sounds"),
		Vibratory:        jBool(v, "vibratory"),
		PushNickName:     jStr(v, "push_nick_name"),
		PushToken:        jStr(v, "push_token"),
		Raw:              v,
	}
}

func parseDevice(v jsonv.Value) Device {
	return Device{
		DeviceSN:  jID(v, "device_sn"),
		Platform:  int(jInt(v, "platform")),
		UserAgent: jStr(v, "user_agent"),
		UserID:    jID(v, "user_id"),
		LastSeen:  jID(v, "last_seen"),
		Online:    jBool(v, "online"),
		Current:   jBool(v, "current"),
		Raw:       v,
	}
}

func parseRosterItem(v jsonv.Value) RosterItem {
	return RosterItem{
		UserID:           jID(v, "user_id"),
		Username:         jStr(v, "username"),
		NickName:         jStr(v, "nick_name"),
		Avatar:           jStr(v, "avatar"),
		Description:      jStr(v, "description"),
		PublicInfo:       jStr(v, "public_info"),
		Alias:            jStr(v, "alias"),
		Ext:              jStr(v, "ext"),
		MuteNotification: jBool(v, "mute_notification"),
		AuthMode:         int(jInt(v, "auth_mode")),
		AuthQuestion:     jStr(v, "auth_question"),
		Relation:         int(jInt(v, "relation")),
		Raw:              v,
	}
}

func parseRosterApplication(v jsonv.Value) RosterApplication {
	return RosterApplication{
		UserID:      jID(v, "user_id"),
		Reason:      jStr(v, "reason"),
		Status:      int(jInt(v, "status")),
		ExpiredTime: jInt(v, "expired_time"),
		Raw:         v,
	}
}

func parseGroupInfo(v jsonv.Value) GroupInfo {
	owner := jID(v, "owner_id")
	if owner == 0 {
		owner = jID(v, "owner") // GroupBrief
	}
	return GroupInfo{
		GroupID:        jID(v, "group_id"),
		Name:           jStr(v, "name"),
		Avatar:         jStr(v, "avatar"),
		Description:    jStr(v, "description"),
		Ext:            jStr(v, "ext"),
		OwnerID:        owner,
		Type:           int(jInt(v, "type")),
		Status:         int(jInt(v, "status")),
		CreatedAt:      jInt(v, "created_at"),
		UpdatedAt:      jInt(v, "updated_at"),
		Capacity:       int(jInt(v, "capacity")),
		Count:          int(jInt(v, "count")),
		ApplyApproval:  int(jInt(v, "apply_approval")),
		MemberInvite:   jBool(v, "member_invite"),
		MemberModify:   jBool(v, "member_modify"),
		HistoryVisible: jBool(v, "history_visible"),
		HideMemberInfo: jBool(v, "hide_member_info"),
		ReadAck:        jBool(v, "read_ack"),
		MsgMuteMode:    int(jInt(v, "msg_mute_mode")),
		MsgPushMode:    int(jInt(v, "msg_push_mode")),
		BanExpireTime:  jInt(v, "ban_expire_time"),
		Raw:            v,
	}
}

func parseMember(v jsonv.Value) Member {
	return Member{
		UserID:      jID(v, "user_id"),
		DisplayName: jStr(v, "display_name"),
		JoinTime:    jInt(v, "join_time"),
		ExpiredTime: jInt(v, "expired_time"),
		Avatar:      jStr(v, "avatar"),
		Raw:         v,
	}
}

func parseBlockedMember(v jsonv.Value) BlockedMember {
	return BlockedMember{UserID: jID(v, "user_id"), GroupID: jID(v, "group_id"), CreatedAt: jStr(v, "created_at"), Raw: v}
}

func parseGroupResult(v jsonv.Value) GroupResult {
	return GroupResult{UserID: jID(v, "user_id"), Result: jStr(v, "result"), Reason: jStr(v, "reason"), Raw: v}
}

func parseGroupApplication(v jsonv.Value) GroupApplication {
	return GroupApplication{
		GroupID:     jID(v, "group_id"),
		ApplicantID: jID(v, "applicant_id"),
		Reason:      jStr(v, "reason"),
		Status:      int(jInt(v, "status")),
		ExpiredTime: jInt(v, "expired_time"),
		Raw:         v,
	}
}

func parseGroupInvitation(v jsonv.Value) GroupInvitation {
	return GroupInvitation{
		GroupID:     jID(v, "group_id"),
		InviterID:   jID(v, "inviter_id"),
		InviteeID:   jID(v, "invitee_id"),
		Reason:      jStr(v, "reason"),
		Status:      int(jInt(v, "status")),
		ExpiredTime: jInt(v, "expired_time"),
		UpdatedAt:   jStr(v, "updated_at"),
		Raw:         v,
	}
}

func parseAnnouncement(v jsonv.Value) Announcement {
	return Announcement{
		ID:        jID(v, "id"),
		GroupID:   jID(v, "group_id"),
		Author:    jID(v, "author"),
		Title:     jStr(v, "title"),
		Content:   jStr(v, "content"),
		CreatedAt: jInt(v, "created_at"),
		Raw:       v,
	}
}

func parseSharedFile(v jsonv.Value) SharedFile {
	return SharedFile{
		FileID:    jID(v, "file_id"),
		GroupID:   jID(v, "group_id"),
		Name:      jStr(v, "name"),
		Size:      jInt(v, "size"),
		Type:      jStr(v, "type"),
		URL:       jStr(v, "url"),
		Uploader:  jID(v, "uploader"),
		CreatedAt: jInt(v, "created_at"),
		UpdatedAt: jInt(v, "updated_at"),
		Raw:       v,
	}
}

func parseSharedFileResult(v jsonv.Value) SharedFileResult {
	return SharedFileResult{FileID: jID(v, "file_id"), Result: jStr(v, "result"), Reason: jStr(v, "reason"), Raw: v}
}

func parseUploadSlot(v jsonv.Value) UploadSlot {
	return UploadSlot{
		UploadURL:    jStr(v, "upload_url"),
		DownloadURL:  jStr(v, "download_url"),
		UploadMethod: jStr(v, "upload_method"),
		OSSBodyParam: v.Get("oss_body_param"),
		Raw:          v,
	}
}
