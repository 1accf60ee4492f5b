package core

import (
	"strconv"
	"sync"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// Upload targets (UploadOptions.ToType, the official toType).
const (
	UploadToChat         = "chat"         // a file for a chat message
	UploadToRosterAvatar = "rosterAvatar" // the user's avatar
	UploadToGroupAvatar  = "groupAvatar"  // a group's avatar
)

// uploadFileTypes maps the official fileType names to the file_type of
// the chat upload slot (REST.md §9.1).
var uploadFileTypes = map[string]int{
	"file":       100,
	"audio":      101, // AMR
	"image":      102,
	"video":      103,
	"audio-mp3":  104,
	"shareFile":  200,
	"shareAudio": 201,
	"shareImage": 202,
	"shareVideo": 203,
}

// UploadFileType returns the file_type number of an official fileType
// name ("file", "audio", "image", "video", "audio-mp3", "shareFile",
// "shareAudio", "shareImage", "shareVideo").
func UploadFileType(name string) (int, bool) {
	n, ok := uploadFileTypes[name]
	return n, ok
}

// UploadOptions describes a file upload (asyncFileUpload).
type UploadOptions struct {
	// File is the platform file handle, passed to HTTPDoer.Upload as is:
	// natively a []byte, an io.Reader, or a string naming a file on disk
	// (core/native opens and streams it); a Blob/File or a WeChat temporary
	// file path in the JavaScript builds. Required.
	File any
	// Size is the file size in bytes; 0 means unknown (taken from File when
	// it is a []byte).
	Size int64
	// FileName and ContentType describe the file part; "" lets the
	// platform choose.
	FileName    string
	ContentType string
	// FileType is the official fileType name (see UploadFileType); required
	// for chat uploads. The share types are files shared in a group.
	FileType string
	// ToType is UploadToChat, UploadToRosterAvatar or UploadToGroupAvatar.
	ToType string
	// ToID is the user or group the chat file is for (to_id).
	ToID uint64
	// GroupID is the group of a group avatar, and of a shared file when
	// ToID is zero.
	GroupID uint64
	// ChatType is ToRoster or ToGroup for chat uploads: the kind of ToID.
	// Zero means ToGroup for the share types and ToRoster otherwise.
	ChatType string
	// Progress, when not nil, receives the bytes sent so far and the total
	// (0 when unknown). Calls are serialized and never go backwards, and a
	// successful upload of known size always ends with (total, total). It
	// may be called from any goroutine and must not block.
	Progress func(loaded, total int64)
}

// UserAvatarUploadSlot asks where to upload the user's avatar
// (GET /file/upload/avatar/user, asyncGetUserAvatarUploadUrl).
func (s *SysManager) UserAvatarUploadSlot(ctx lite.Context) (UploadSlot, error) {
	return s.slot(ctx, mgrGet("/file/upload/avatar/user"))
}

// GroupAvatarUploadSlot asks where to upload the avatar of gid
// (GET /file/upload/avatar/group, asyncGetGroupAvatarUploadUrl). The token
// goes in the query too, as the official clients send it.
func (s *SysManager) GroupAvatarUploadSlot(ctx lite.Context, gid uint64) (UploadSlot, error) {
	if err := needID("group id", gid); err != nil {
		return UploadSlot{}, err
	}
	q := [][2]string{qID("group_id", gid)}
	if tok := s.c.rest.currentToken(); tok != "" {
		q = append(q, [2]string{"access-token", tok})
	}
	return s.slot(ctx, mgrGet("/file/upload/avatar/group", q...))
}

// ChatFileUploadSlot asks where to upload a chat or shared file
// (GET /file/upload/chat, asyncGetFileUploadChatFileUrl): fileType is
// 100-104 or 200-203, toType 1 for a user and 2 for a group.
func (s *SysManager) ChatFileUploadSlot(ctx lite.Context, fileType, toType int, toID uint64) (UploadSlot, error) {
	if (fileType < 100 || fileType > 104) && (fileType < 200 || fileType > 203) {
		return UploadSlot{}, ClientError("file type must be 100-104 or 200-203")
	}
	if err := needRange("to type", toType, 1, 2); err != nil {
		return UploadSlot{}, err
	}
	if err := needID("target id", toID); err != nil {
		return UploadSlot{}, err
	}
	return s.slot(ctx, mgrGet("/file/upload/chat",
		qInt("file_type", int64(fileType)), qID("to_id", toID), qInt("to_type", int64(toType))))
}

// slot performs an upload-slot request. A slot without upload_url is
// ServerInvalidUploadUrl (ERRORS.md §4.3).
func (s *SysManager) slot(ctx lite.Context, req RESTRequest) (UploadSlot, error) {
	data, err := s.c.mcall(ctx, req)
	if err != nil {
		return UploadSlot{}, err
	}
	sl := parseUploadSlot(data)
	if sl.UploadURL == "" {
		e := NewError(ServerInvalidUploadUrl, "upload slot without upload_url")
		e.Source = SourceTransport
		e.URL = s.c.rest.baseURL() + req.Path
		return UploadSlot{}, e
	}
	return sl, nil
}

// slotRequest validates opts and returns the slot request of its target.
func (s *SysManager) slotRequest(ctx lite.Context, opts *UploadOptions) (UploadSlot, error) {
	switch opts.ToType {
	case UploadToRosterAvatar:
		return s.UserAvatarUploadSlot(ctx)
	case UploadToGroupAvatar:
		if opts.GroupID == 0 {
			return UploadSlot{}, ClientError("group avatar upload needs GroupID")
		}
		return s.GroupAvatarUploadSlot(ctx, opts.GroupID)
	case UploadToChat:
	default:
		return UploadSlot{}, NewError(InvalidFileUploadToType, "upload target must be chat, rosterAvatar or groupAvatar, not "+string(appendQuoted(nil, opts.ToType)))
	}
	ft, ok := uploadFileTypes[opts.FileType]
	if !ok {
		return UploadSlot{}, ClientError("unknown file type " + string(appendQuoted(nil, opts.FileType)))
	}
	share := ft >= 200
	chat := opts.ChatType
	if chat == "" {
		chat = ToRoster
		if share {
			chat = ToGroup
		}
	}
	to := opts.ToID
	if to == 0 && chat == ToGroup {
		to = opts.GroupID
	}
	toType := 1
	switch chat {
	case ToRoster:
	case ToGroup:
		toType = 2
	default:
		return UploadSlot{}, ClientError("chat type must be roster or group")
	}
	if to == 0 {
		return UploadSlot{}, ClientError("chat upload needs ToID")
	}
	return s.ChatFileUploadSlot(ctx, ft, toType, to)
}

// Upload uploads a file and returns its permanent download URL
// (asyncFileUpload, REST.md §9): it gets an upload slot for the target,
// then sends the file with HTTPDoer.Upload as a multipart POST whose file
// field is "file", preceded by the slot's oss_body_param fields when they
// include a key. The upload succeeds only when the reply body is
// {"data": true} (own storage) or {"Status": "OK"} (object storage); any
// other reply is ServerFileUploadUnknownError, and transport failures map
// as for REST calls.
//
// Use the URL as the attachment url of a message, with
// UserManager.UpdateAvatar, GroupManager.UpdateAvatar or
// GroupManager.RegisterFile.
func (s *SysManager) Upload(ctx lite.Context, opts UploadOptions) (string, error) {
	if opts.File == nil {
		return "", ClientError("upload needs a file")
	}
	if opts.Size < 0 {
		return "", ClientError("upload size is negative")
	}
	if b, ok := opts.File.([]byte); ok && opts.Size == 0 {
		opts.Size = int64(len(b))
	}
	sl, err := s.slotRequest(ctx, &opts)
	if err != nil {
		return "", err
	}
	req := &UploadRequest{
		URL:         sl.UploadURL,
		Header:      map[string]string{"app_id": s.c.cfg.AppID},
		FileField:   "file",
		FileName:    opts.FileName,
		ContentType: opts.ContentType,
		File:        opts.File,
		Size:        opts.Size,
	}
	if tok := s.c.rest.currentToken(); tok != "" {
		req.Header["access-token"] = tok
	}
	if sl.OSSBodyParam.Get("key").Exists() {
		for k, v := range sl.OSSBodyParam.Members() {
			if text, ok := v.AsString(); ok {
				req.Fields = append(req.Fields, [2]string{k, text})
			}
		}
	}
	var gate *progressGate
	if opts.Progress != nil {
		gate = &progressGate{fn: opts.Progress, total: opts.Size}
		req.Progress = gate.report
	}
	resp, err := s.c.cfg.HTTP.Upload(ctx, req)
	if err != nil {
		return "", withURL(FromTransportError(err), sl.UploadURL)
	}
	if !uploadAccepted(resp.Body) {
		e := NewError(ServerFileUploadUnknownError, "upload rejected: HTTP "+strconv.Itoa(resp.Status)+" "+uploadSnippet(resp.Body))
		e.Source = SourceTransport
		e.URL = sl.UploadURL
		return "", e
	}
	if gate != nil {
		gate.finish()
	}
	return sl.DownloadURL, nil
}

// uploadAccepted applies the official web client's success rule: the
// body is {"data": true} or {"Status": "OK"}; the envelope code does not
// matter.
func uploadAccepted(body []byte) bool {
	v, err := jsonv.Parse(body)
	if err != nil {
		return false
	}
	if b, ok := v.Get("data").Bool(); ok && b {
		return true
	}
	st, _ := v.Get("Status").Str()
	return st == "OK"
}

// uploadSnippet returns the start of a reply body for error messages.
func uploadSnippet(b []byte) string {
	const max = 120
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// progressGate serializes the progress reports of an upload, drops those
// that would go backwards (a retrying or parallel uploader may report out of
// order) and caps loaded at the total.
type progressGate struct {
	mu    sync.Mutex
	fn    func(loaded, total int64)
	total int64 // guarded by mu; known total, 0 when unknown
	last  int64 // guarded by mu; last loaded reported
	any   bool  // guarded by mu; something was reported
}

func (p *progressGate) report(loaded, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total > 0 {
		p.total = total
	}
	if p.total > 0 && loaded > p.total {
		loaded = p.total
	}
	if loaded < p.last || (p.any && loaded == p.last) {
		return
	}
	p.last, p.any = loaded, true
	p.fn(loaded, p.total)
}

// finish reports completion once an upload of known size succeeded.
func (p *progressGate) finish() {
	p.mu.Lock()
	total := p.total
	p.mu.Unlock()
	if total > 0 {
		p.report(total, total)
	}
}
