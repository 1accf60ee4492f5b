package ratel

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flooim/floo/server/internal/baseurl"
	"github.com/flooim/floo/server/store"
)

// File storage defaults.
const (
	defaultMaxUploadBytes = 100 << 20 // REST.md §9.2 Recommended
	uploadTicketTTL       = time.Hour // how long an upload URL stays usable
	filesSubdir           = "files"   // under Options.DataDir, unless Options.FilesDir is set
	// maxFormFieldBytes bounds each non-file multipart field (oss_body_param
	// entries and anything else a client adds): they are read and dropped.
	maxFormFieldBytes = 64 << 10
)

// UploadSlot is the UploadSlot entity of REST.md §9.1.
type UploadSlot struct {
	UploadURL    string            `json:"upload_url"`
	DownloadURL  string            `json:"download_url"`
	UploadMethod string            `json:"upload_method"`
	OSSBodyParam map[string]string `json:"oss_body_param"`
}

func (a *API) registerFileRoutes() {
	a.handle("GET /file/upload/chat", authed, a.fileSlotChat)
	a.handle("GET /file/upload/avatar/user", authed, a.fileSlotUserAvatar)
	a.handle("GET /file/upload/avatar/group", authed, a.fileSlotGroupAvatar)
	a.handle("GET /file/upload/forward", authed, a.fileForward)
	// The official clients always POST, whatever upload_method says; PUT
	// is accepted as well for other uploaders.
	a.handleRaw("POST /file/upload/put/{id}", authed, a.fileUpload)
	a.handleRaw("PUT /file/upload/put/{id}", authed, a.fileUpload)
	// Downloads are consumed by <img>/<audio> and file savers: they answer
	// with HTTP statuses (403, 404), not the envelope, so they check the
	// token themselves.
	a.handleRaw("GET /file/download/chat", public, a.fileDownloadChat)
	a.handleRaw("GET /file/download/avatar", public, a.fileDownloadAvatar)
}

func (a *API) maxUploadBytes() int64 {
	if a.opts.MaxUploadBytes > 0 {
		return a.opts.MaxUploadBytes
	}
	return defaultMaxUploadBytes
}

// filesDir is where uploaded bytes live: Options.FilesDir, else a folder
// of the data directory.
func (a *API) filesDir() (string, error) {
	if a.opts.FilesDir != "" {
		return a.opts.FilesDir, nil
	}
	if a.opts.DataDir == "" {
		return "", Fail(CodeObjectStorage, "file storage is not configured")
	}
	return filepath.Join(a.opts.DataDir, filesSubdir), nil
}

// fileBase is the scheme://host[:port][/path] clients use for this server:
// the configured public URL, else the address of the request, exactly as the
// DNS reply advertises it.
func (a *API) fileBase(c *Call) string { return baseurl.Of(c.R, a.public) }

// randomID returns 16 random bytes in hex: an unguessable, URL-safe id.
func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// conversation is what a chat-file signature is bound to: a one-to-one
// conversation (the unordered pair A < B) or a group (A = gid, B = 0).
type conversation struct {
	toType int // store.ToUser or store.ToGroup
	a, b   int64
}

func userConversation(x, y int64) conversation {
	if x > y {
		x, y = y, x
	}
	return conversation{toType: store.ToUser, a: x, b: y}
}

func groupConversation(gid int64) conversation {
	return conversation{toType: store.ToGroup, a: gid}
}

// signingKey is the persisted HMAC key of download URLs.
func (a *API) signingKey(c *Call) ([]byte, error) {
	return a.st.SigningKey(c.Ctx, func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
}

// fileSignature returns the file_sign value for a file in a conversation:
// "<file id>.<to_type>.<a>.<b>.<mac>", the mac being HMAC-SHA256 over the
// rest. It holds no '&' or '=' so it survives the official clients'
// forwarding, which takes everything after "sign=" (PROTOCOL.md §17.15).
func fileSignature(key []byte, fileID string, cv conversation) string {
	msg := fileID + "." + strconv.Itoa(cv.toType) + "." + strconv.FormatInt(cv.a, 10) + "." +
		strconv.FormatInt(cv.b, 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseFileSignature checks a file_sign value and returns its file id and
// conversation; ok is false for anything forged or malformed.
func parseFileSignature(key []byte, sign string) (fileID string, cv conversation, ok bool) {
	parts := strings.Split(sign, ".")
	if len(parts) != 5 {
		return "", cv, false
	}
	t, err1 := strconv.Atoi(parts[1])
	x, err2 := strconv.ParseInt(parts[2], 10, 64)
	y, err3 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || (t != store.ToUser && t != store.ToGroup) {
		return "", cv, false
	}
	cv = conversation{toType: t, a: x, b: y}
	want := fileSignature(key, parts[0], cv)
	if !hmac.Equal([]byte(want), []byte(sign)) {
		return "", cv, false
	}
	return parts[0], cv, true
}

// chatDownloadURL is the permanent URL of a chat file in a conversation,
// with file_sign as the last query parameter (REST.md §9.3).
func (a *API) chatDownloadURL(c *Call, fileID string, cv conversation) (string, error) {
	key, err := a.signingKey(c)
	if err != nil {
		return "", err
	}
	return a.fileBase(c) + "/file/download/chat?file_sign=" + fileSignature(key, fileID, cv), nil
}

// canRead reports whether uid may read a conversation's files: one of the
// pair, or a current member of the group.
func (a *API) canRead(c *Call, uid int64, cv conversation) (bool, error) {
	if cv.toType == store.ToUser {
		return uid == cv.a || uid == cv.b, nil
	}
	m, err := a.membership(c, cv.a, uid)
	return m != nil, err
}

// messageTarget checks that the caller may send to (toType, toID), as the
// gateway would accept a message, and returns the conversation.
func (a *API) messageTarget(c *Call, toType, toID int64) (conversation, error) {
	switch toType {
	case store.ToUser:
		if _, err := a.liveUser(c, toID); err != nil {
			return conversation{}, err
		}
		if toID != c.UID {
			blocked, err := a.st.IsBlocked(c.Ctx, toID, c.UID)
			if err != nil {
				return conversation{}, err
			}
			if blocked {
				return conversation{}, Fail(CodeInBlockList, "the user has blocked you")
			}
		}
		return userConversation(c.UID, toID), nil
	case store.ToGroup:
		g, err := a.st.GetGroup(c.Ctx, toID)
		if errors.Is(err, store.ErrNotFound) || err == nil && g.Status != store.GroupNormal {
			return conversation{}, errNoGroup
		}
		if err != nil {
			return conversation{}, err
		}
		m, err := a.membership(c, g.ID, c.UID)
		if err != nil {
			return conversation{}, err
		}
		if m == nil {
			return conversation{}, Fail(CodeNotGroupMember, "not a group member")
		}
		now := a.now().UnixMilli()
		if m.Banned(now) || m.Role < store.RoleAdmin && g.Banned(now) {
			return conversation{}, Fail(CodeNoPermission, "you are banned in this group")
		}
		return groupConversation(g.ID), nil
	}
	return conversation{}, badParam("to_type", "must be 1 (user) or 2 (group)")
}

// newSlot registers f (setting f.ID) with a one-time upload id and returns
// the upload URL.
func (a *API) newSlot(c *Call, f *store.File) (uploadURL string, err error) {
	if _, err := a.filesDir(); err != nil {
		return "", err
	}
	now := a.now()
	f.ID, f.OwnerID, f.CreatedAt = randomID(), c.UID, now.UnixMilli()
	t := store.UploadTicket{ID: randomID(), FileID: f.ID, ExpiresAt: now.Add(uploadTicketTTL).UnixMilli()}
	if err := a.st.CreateFile(c.Ctx, *f, t); err != nil {
		return "", err
	}
	// Opportunistic cleanup keeps the ticket table small without a timer.
	if _, err := a.st.DeleteExpiredTickets(c.Ctx, now.UnixMilli()); err != nil {
		a.log.Warn("ratel: delete expired upload tickets", "err", err)
	}
	return a.fileBase(c) + "/file/upload/put/" + t.ID, nil
}

// targetParams reads to_id and to_type, the conversation a chat file is
// for.
func targetParams(c *Call) (toID, toType int64, err error) {
	if toID, err = c.Int("to_id"); err != nil {
		return 0, 0, err
	}
	if toType, err = c.Int("to_type"); err != nil {
		return 0, 0, err
	}
	return toID, toType, nil
}

// issueSlot registers f and returns its UploadSlot; downloadURL makes the
// download URL from the new file id.
func (a *API) issueSlot(c *Call, f store.File, downloadURL func(fileID string) (string, error)) (any, error) {
	up, err := a.newSlot(c, &f)
	if err != nil {
		return nil, err
	}
	down, err := downloadURL(f.ID)
	if err != nil {
		return nil, err
	}
	return UploadSlot{UploadURL: up, DownloadURL: down, UploadMethod: "POST", OSSBodyParam: map[string]string{}}, nil
}

func (a *API) fileSlotChat(c *Call) (any, error) {
	fileType, err := c.Int("file_type")
	if err != nil {
		return nil, err
	}
	toID, toType, err := targetParams(c)
	if err != nil {
		return nil, err
	}
	switch {
	case fileType >= 100 && fileType <= 104:
	case fileType >= 200 && fileType <= 203:
		if toType != store.ToGroup {
			return nil, badParam("to_type", "group shared files need to_type 2")
		}
	default:
		return nil, badParam("file_type", "must be 100–104 or 200–203")
	}
	cv, err := a.messageTarget(c, toType, toID)
	if err != nil {
		return nil, err
	}
	f := store.File{Kind: store.FileChat, FileType: int(fileType), ToType: int(toType), ToID: toID}
	return a.issueSlot(c, f, func(id string) (string, error) { return a.chatDownloadURL(c, id, cv) })
}

// avatarSlot issues a slot for an avatar; its download URL goes through
// /file/download/avatar (REST.md §9.3).
func (a *API) avatarSlot(c *Call, f store.File) (any, error) {
	return a.issueSlot(c, f, func(id string) (string, error) {
		return a.fileBase(c) + "/file/download/avatar?object_name=" + url.QueryEscape(id), nil
	})
}

func (a *API) fileSlotUserAvatar(c *Call) (any, error) {
	return a.avatarSlot(c, store.File{Kind: store.FileUserAvatar})
}

func (a *API) fileSlotGroupAvatar(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	if err := canModifyInfo(g, me); err != nil {
		return nil, err
	}
	return a.avatarSlot(c, store.File{Kind: store.FileGroupAvatar, ToType: store.ToGroup, ToID: g.ID})
}

// fileForward re-signs a chat file for another conversation (REST.md §9.4):
// the caller must be able to read the source and to send to the target.
func (a *API) fileForward(c *Call) (any, error) {
	sign, err := c.Str("file_sign")
	if err != nil {
		return nil, err
	}
	toID, toType, err := targetParams(c)
	if err != nil {
		return nil, err
	}
	key, err := a.signingKey(c)
	if err != nil {
		return nil, err
	}
	fileID, src, ok := parseFileSignature(key, sign)
	if !ok {
		return nil, badParam("file_sign", "invalid signature")
	}
	if ok, err := a.canRead(c, c.UID, src); err != nil {
		return nil, err
	} else if !ok {
		return nil, Fail(CodeNoPermission, "no access to the source conversation")
	}
	if f, err := a.st.GetFile(c.Ctx, fileID); errors.Is(err, store.ErrNotFound) || err == nil && !f.Uploaded {
		return nil, badParam("file_sign", "unknown file")
	} else if err != nil {
		return nil, err
	}
	dst, err := a.messageTarget(c, toType, toID)
	if err != nil {
		return nil, err
	}
	return a.chatDownloadURL(c, fileID, dst)
}

// fileUpload receives the multipart body of an upload slot (REST.md §9.2):
// the part named "file" is stored, every other field is read and dropped.
// Success is HTTP 200 with exactly {"data":true}, which the web client
// checks. The one-time id is consumed when the upload starts, so a failed
// upload needs a new slot.
func (a *API) fileUpload(c *Call) error {
	dir, err := a.filesDir()
	if err != nil {
		return err
	}
	now := a.now().UnixMilli()
	f, err := a.st.ClaimUploadTicket(c.Ctx, c.R.PathValue("id"), now)
	if errors.Is(err, store.ErrNotFound) {
		return &APIError{Code: CodeBadParam, Message: "upload id unknown, used or expired", Status: http.StatusNotFound}
	}
	if err != nil {
		return err
	}
	if f.OwnerID != c.UID {
		return &APIError{Code: CodeNoPermission, Message: "upload slot of another user", Status: http.StatusForbidden}
	}
	max := a.maxUploadBytes()
	// The form fields and multipart framing get 1 MiB on top of the file.
	c.R.Body = http.MaxBytesReader(c.W, c.R.Body, max+1<<20)
	mr, err := c.R.MultipartReader()
	if err != nil {
		return badParam("file", "the body must be multipart/form-data")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tooLarge := &APIError{Code: CodeBadParam, Message: "file too large", Status: http.StatusRequestEntityTooLarge}
	var stored bool
	var name, ctype string
	var size int64
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return tooLarge
			}
			return badParam("file", "malformed multipart body")
		}
		if part.FormName() != "file" || stored {
			_, err := io.Copy(io.Discard, io.LimitReader(part, maxFormFieldBytes))
			part.Close()
			if err != nil {
				return badParam("file", "malformed multipart body")
			}
			continue
		}
		name = filepath.Base(part.FileName())
		if name == "." || name == string(filepath.Separator) {
			name = ""
		}
		size, ctype, err = a.storeUpload(dir, f.ID, part, max, name, part.Header.Get("Content-Type"))
		part.Close()
		if err != nil {
			return err
		}
		stored = true
	}
	if !stored {
		return badParam("file", "missing")
	}
	if err := a.st.CompleteFile(c.Ctx, f.ID, name, size, ctype, a.now().UnixMilli()); err != nil {
		return err
	}
	c.W.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.W.Header().Set("Cache-Control", "no-store")
	c.W.WriteHeader(http.StatusOK)
	_, err = c.W.Write([]byte(`{"data":true}`))
	return err
}

// storeUpload streams r into dir/id through a temporary file, at most max
// bytes, and works out the content type: the part's own unless it is
// missing or generic, else from the file name, else sniffed.
func (a *API) storeUpload(dir, id string, r io.Reader, max int64, name, ctype string) (int64, string, error) {
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	// The first bytes are kept for content sniffing.
	var head [512]byte
	hn, err := io.ReadFull(r, head[:])
	var n int64
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		n, err = io.Copy(tmp, io.MultiReader(bytes.NewReader(head[:hn]), io.LimitReader(r, max+1-int64(hn))))
	}
	if err == nil && n > max {
		err = &APIError{Code: CodeBadParam, Message: "file too large", Status: http.StatusRequestEntityTooLarge}
	}
	if err != nil {
		tmp.Close()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return 0, "", &APIError{Code: CodeBadParam, Message: "file too large", Status: http.StatusRequestEntityTooLarge}
		}
		var ae *APIError
		if errors.As(err, &ae) {
			return 0, "", ae
		}
		return 0, "", badParam("file", "upload interrupted")
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, id)); err != nil {
		return 0, "", err
	}
	if mt, _, err := mime.ParseMediaType(ctype); err != nil || mt == "application/octet-stream" {
		ctype = ""
	}
	if ctype == "" && name != "" {
		ctype = mime.TypeByExtension(filepath.Ext(name))
	}
	if ctype == "" {
		ctype = http.DetectContentType(head[:hn])
	}
	return n, ctype, nil
}

// downloadCaller authenticates a download by header or query token; false
// means answer 403.
func (a *API) downloadCaller(c *Call) bool {
	err := a.authenticate(c)
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			a.logErr(c, err)
		}
		return false
	}
	return true
}

// forbidden answers a download with a bare 403.
func forbidden(c *Call) error {
	http.Error(c.W, "forbidden", http.StatusForbidden)
	return nil
}

func (a *API) fileDownloadChat(c *Call) error {
	if !a.downloadCaller(c) {
		return forbidden(c)
	}
	key, err := a.signingKey(c)
	if err != nil {
		return err
	}
	fileID, cv, ok := parseFileSignature(key, c.query.Get("file_sign"))
	if !ok {
		return forbidden(c)
	}
	if ok, err := a.canRead(c, c.UID, cv); err != nil {
		return err
	} else if !ok {
		return forbidden(c)
	}
	return a.serveUploaded(c, fileID, func(f store.File) bool { return f.Kind == store.FileChat })
}

func (a *API) fileDownloadAvatar(c *Call) error {
	if !a.downloadCaller(c) {
		return forbidden(c)
	}
	return a.serveUploaded(c, c.query.Get("object_name"), func(f store.File) bool { return f.Kind != store.FileChat })
}

// serveUploaded serves the stored file id when its upload is complete and
// kind accepts it; anything else is a 404.
func (a *API) serveUploaded(c *Call, id string, kind func(store.File) bool) error {
	f, err := a.st.GetFile(c.Ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!f.Uploaded || !kind(f)) {
		http.NotFound(c.W, c.R)
		return nil
	}
	if err != nil {
		return err
	}
	return a.serveFile(c, f)
}

// inlineTypes may be shown in the page; anything else is sent as an
// attachment so an uploaded HTML or SVG file cannot run script in the
// server's origin.
func inlineType(ctype string) bool {
	mt, _, _ := mime.ParseMediaType(ctype)
	switch {
	case mt == "image/svg+xml":
		return false
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "audio/"), strings.HasPrefix(mt, "video/"):
		return true
	}
	return mt == "application/pdf" || mt == "text/plain"
}

// serveFile writes a stored file with its content type. format, image_type,
// w and h are accepted and ignored: the original is always served.
func (a *API) serveFile(c *Call, f store.File) error {
	dir, err := a.filesDir()
	if err != nil {
		return err
	}
	fh, err := os.Open(filepath.Join(dir, f.ID))
	if errors.Is(err, os.ErrNotExist) {
		http.NotFound(c.W, c.R)
		return nil
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	h := c.W.Header()
	ctype := f.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	// The URL carries the credentials, so shared caches must not keep it;
	// the content behind an id never changes, so the browser may.
	h.Set("Cache-Control", "private, max-age=86400")
	disp := "inline"
	if !inlineType(ctype) {
		disp = "attachment"
	}
	if f.Name != "" {
		disp = mime.FormatMediaType(disp, map[string]string{"filename": f.Name})
	}
	h.Set("Content-Disposition", disp)
	http.ServeContent(c.W, c.R, "", time.UnixMilli(f.UploadedAt), fh)
	return nil
}
