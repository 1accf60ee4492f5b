package ratel

import (
	"encoding/json"
	"errors"

	"github.com/flooim/floo/server/store"
	"github.com/flooim/floo/xsync"
)

// AnnouncementInfo is the Announcement entity of REST.md §12.
type AnnouncementInfo struct {
	ID        int64  `json:"id"`
	GroupID   int64  `json:"group_id"`
	Author    int64  `json:"author"`
	Title     string `json:"title"`
	Content   string `json:"content"`
	CreatedAt int64  `json:"created_at"`
}

// SharedFileInfo is the SharedFile entity of REST.md §12.
type SharedFileInfo struct {
	FileID    int64  `json:"file_id"`
	GroupID   int64  `json:"group_id"`
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	Type      string `json:"type"`
	URL       string `json:"url"`
	Uploader  int64  `json:"uploader"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

// SharedFileResult is the per-file outcome of /group/file/delete.
type SharedFileResult struct {
	FileID int64  `json:"file_id"`
	Result string `json:"result"` // "success" or "fail"
	Reason string `json:"reason"`
}

func announcementInfo(a store.Announcement) AnnouncementInfo {
	return AnnouncementInfo{ID: a.ID, GroupID: a.GroupID, Author: a.Author, Title: a.Title,
		Content: a.Content, CreatedAt: a.CreatedAt}
}

func sharedFileInfo(f store.SharedFile) SharedFileInfo {
	return SharedFileInfo{FileID: f.ID, GroupID: f.GroupID, Name: f.Name, Size: f.Size,
		Type: f.Type, URL: f.URL, Uploader: f.Uploader, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

func (a *API) registerGroupContentRoutes() {
	a.handle("GET /group/announcement/list", authed, a.announcementList)
	a.handle("GET /group/announcement", authed, a.announcementGet)
	a.handle("POST /group/announcement/edit", authed, a.announcementEdit)
	a.handle("POST /group/announcement/delete", authed, a.announcementDelete)
	a.handle("GET /group/file/list", authed, a.sharedFileList)
	a.handle("POST /group/file/upload", authed, a.sharedFileUpload)
	a.handle("POST /group/file/delete", authed, a.sharedFileDelete)
}

var errNoAnnouncement = Fail(CodeAnnouncementNotFound, "announcement not found")

func (a *API) announcementList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	list, err := a.st.Announcements(c.Ctx, g.ID)
	if err != nil {
		return nil, err
	}
	out := make([]AnnouncementInfo, len(list))
	for i, an := range list {
		out[i] = announcementInfo(an)
	}
	return out, nil
}

func (a *API) announcementGet(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	id, err := c.Int("announcement_id")
	if err != nil {
		return nil, err
	}
	an, err := a.st.GetAnnouncement(c.Ctx, g.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoAnnouncement
	}
	if err != nil {
		return nil, err
	}
	return announcementInfo(an), nil
}

func (a *API) announcementEdit(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	title, err := c.OptStr("title", "")
	if err != nil {
		return nil, err
	}
	content, err := c.Str("content")
	if err != nil {
		return nil, err
	}
	if err := checkText("title", title, maxShortLen); err != nil {
		return nil, err
	}
	if err := checkText("content", content, maxTextLen); err != nil {
		return nil, err
	}
	an := store.Announcement{GroupID: g.ID, Author: c.UID, Title: title, Content: content,
		CreatedAt: a.now().UnixMilli()}
	if err := a.st.CreateAnnouncement(c.Ctx, &an); err != nil {
		return nil, err
	}
	return announcementInfo(an), a.notifyMembers(c, xsync.GroupNoticeAnnouncementUpdated, g.ID, c.UID, nil, "")
}

func (a *API) announcementDelete(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needAdmin)
	if err != nil {
		return nil, err
	}
	id, err := c.Int("announcement_id")
	if err != nil {
		return nil, err
	}
	err = a.st.DeleteAnnouncement(c.Ctx, g.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoAnnouncement
	}
	if err != nil {
		return nil, err
	}
	return nil, a.notifyMembers(c, xsync.GroupNoticeAnnouncementUpdated, g.ID, c.UID, nil, "")
}

func (a *API) sharedFileList(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	list, err := a.st.SharedFiles(c.Ctx, g.ID)
	if err != nil {
		return nil, err
	}
	out := make([]SharedFileInfo, len(list))
	for i, f := range list {
		out[i] = sharedFileInfo(f)
	}
	return out, nil
}

func (a *API) sharedFileUpload(c *Call) (any, error) {
	g, _, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	name, err := c.Str("name")
	if err != nil {
		return nil, err
	}
	size, err := c.OptInt("size", 0)
	if err != nil {
		return nil, err
	}
	typ, err := c.OptStr("type", "")
	if err != nil {
		return nil, err
	}
	url, err := c.Str("url")
	if err != nil {
		return nil, err
	}
	switch {
	case size < 0:
		return nil, badParam("size", "negative")
	case url == "":
		return nil, badParam("url", "empty")
	}
	for _, f := range []struct{ name, v string }{{"name", name}, {"type", typ}} {
		if err := checkText(f.name, f.v, maxShortLen); err != nil {
			return nil, err
		}
	}
	if err := checkText("url", url, maxAvatarLen); err != nil {
		return nil, err
	}
	now := a.now().UnixMilli()
	f := store.SharedFile{GroupID: g.ID, Name: name, Size: size, Type: typ, URL: url,
		Uploader: c.UID, CreatedAt: now, UpdatedAt: now}
	if err := a.st.CreateSharedFile(c.Ctx, &f); err != nil {
		return nil, err
	}
	info := sharedFileInfo(f)
	b, _ := json.Marshal(info)
	return info, a.notifyMembers(c, xsync.GroupNoticeFileUploaded, g.ID, c.UID, nil, string(b))
}

func (a *API) sharedFileDelete(c *Call) (any, error) {
	g, me, err := a.groupFor(c, needMember)
	if err != nil {
		return nil, err
	}
	ids, err := c.IntList("file_list")
	if err != nil {
		return nil, err
	}
	results := []SharedFileResult{}
	var done []int64
	for _, id := range union(ids) {
		f, err := a.st.GetSharedFile(c.Ctx, g.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			results = append(results, SharedFileResult{FileID: id, Result: "fail", Reason: "shared file not found"})
			continue
		}
		if err != nil {
			return nil, err
		}
		// The uploader and the group's admins may delete a shared file.
		if f.Uploader != c.UID && me.Role < store.RoleAdmin {
			results = append(results, SharedFileResult{FileID: id, Result: "fail", Reason: "no permission on the shared file"})
			continue
		}
		if err := a.st.DeleteSharedFile(c.Ctx, g.ID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		results = append(results, SharedFileResult{FileID: id, Result: "success"})
		done = append(done, id)
	}
	if len(done) > 0 {
		b, _ := json.Marshal(map[string]any{"file_list": done})
		if err := a.notifyMembers(c, xsync.GroupNoticeFileDeleted, g.ID, c.UID, nil, string(b)); err != nil {
			return nil, err
		}
	}
	return results, nil
}
