package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/flooim/floo/core"
)

// The commands an app developer needs to set up test users: finding a
// user's id by name, friends (REST.md §7) and groups (§8). They print one
// JSON object per line, like the other commands.

// friendsArgsOK accepts: nothing (the list), requests, add <uid>
// [<message>], accept <uid>, remove <uid>.
func friendsArgsOK(args []string) bool {
	if len(args) == 0 {
		return true
	}
	switch args[0] {
	case "requests":
		return len(args) == 1
	case "add":
		return len(args) == 2 || len(args) == 3
	case "accept", "remove":
		return len(args) == 2
	}
	return false
}

// groupsArgsOK accepts: nothing (the list), create <name> [<uid>...],
// invite <gid> <uid>..., leave <gid>.
func groupsArgsOK(args []string) bool {
	if len(args) == 0 {
		return true
	}
	switch args[0] {
	case "create":
		return len(args) >= 2
	case "invite":
		return len(args) >= 3
	case "leave":
		return len(args) == 2
	}
	return false
}

// parseID parses a user or group id argument.
func parseID(what, s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, usagef("%q is not a %s", s, what)
	}
	return id, nil
}

func parseIDs(what string, args []string) ([]uint64, error) {
	ids := make([]uint64, len(args))
	for i, s := range args {
		var err error
		if ids[i], err = parseID(what, s); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// user is the JSON form of a user as the caller sees it.
type user struct {
	UserID   uint64 `json:"user_id"`
	Username string `json:"username"`
	NickName string `json:"nick_name,omitempty"`
	// Alias is the caller's name for a friend.
	Alias string `json:"alias,omitempty"`
	// Relation is friend, stranger, blocked or deleted_friend (a friend
	// who removed the caller).
	Relation string `json:"relation"`
}

func userJSON(it core.RosterItem) user {
	rel := strconv.Itoa(it.Relation)
	switch it.Relation {
	case core.RelationFriend:
		rel = "friend"
	case core.RelationDeletedFriend:
		rel = "deleted_friend"
	case core.RelationStranger:
		rel = "stranger"
	case core.RelationBlocked:
		rel = "blocked"
	}
	return user{UserID: it.UserID, Username: it.Username, NickName: it.NickName, Alias: it.Alias, Relation: rel}
}

// search prints the user of a name (GET /roster/name).
func (a *app) search(ctx context.Context) error {
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	it, err := c.Roster().SearchByName(ctx, a.o.args[0])
	if err != nil {
		return err
	}
	return a.print(userJSON(it))
}

func (a *app) friends(ctx context.Context) error {
	var uid uint64
	if len(a.o.args) == 2 || len(a.o.args) == 3 {
		var err error
		if uid, err = parseID("user id", a.o.args[1]); err != nil {
			return err
		}
	}
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	r := c.Roster()
	if len(a.o.args) == 0 {
		return a.listFriends(ctx, c)
	}
	switch a.o.args[0] {
	case "requests":
		return a.friendRequests(ctx, c)
	case "add":
		req := core.ApplyRequest{UserID: uid}
		if len(a.o.args) == 3 {
			req.Reason = a.o.args[2]
		}
		if err := r.Apply(ctx, req); err != nil {
			return err
		}
		// A user who lets anyone add them is a friend at once; the others
		// get a request to accept. The reply is "true" either way.
		it, err := r.SearchByID(ctx, uid)
		if err != nil {
			return err
		}
		status := "requested"
		if it.Relation == core.RelationFriend {
			status = "friend"
		}
		return a.print(map[string]any{"user_id": uid, "status": status})
	case "accept":
		if err := r.Accept(ctx, uid); err != nil {
			return err
		}
		return a.print(map[string]any{"user_id": uid, "status": "friend"})
	case "remove":
		if err := r.Delete(ctx, uid); err != nil {
			return err
		}
		return a.print(map[string]any{"removed": uid})
	}
	return usagef("usage: floo friends %s", commandSpec("friends").args)
}

// listFriends prints the friends, by user id.
func (a *app) listFriends(ctx context.Context, c *core.Client) error {
	ids, err := c.Roster().IDs(ctx, true)
	if err != nil {
		return err
	}
	slices.Sort(ids)
	items, err := c.Roster().ListDetailByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := a.print(userJSON(it)); err != nil {
			return err
		}
	}
	return nil
}

// request is the JSON form of a friend request received.
type request struct {
	UserID   uint64 `json:"user_id"` // the applicant
	Username string `json:"username"`
	Reason   string `json:"reason,omitempty"`
	Status   string `json:"status"` // pending, accepted or declined
	// ExpiresAt: a pending request can be accepted until then (ms).
	ExpiresAt int64 `json:"expires_at"`
}

// friendRequests prints the friend requests the user received, oldest
// first, with the applicants' names.
func (a *app) friendRequests(ctx context.Context, c *core.Client) error {
	apps, err := c.Roster().ApplyList(ctx, core.ListOptions{})
	if err != nil {
		return err
	}
	ids := make([]uint64, 0, len(apps))
	for _, ap := range apps {
		ids = append(ids, ap.UserID)
	}
	names := map[uint64]string{}
	if len(ids) > 0 {
		items, err := c.Roster().ListDetailByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, it := range items {
			names[it.UserID] = it.Username
		}
	}
	for _, ap := range apps {
		status := strconv.Itoa(ap.Status)
		switch ap.Status {
		case core.RequestPending:
			status = "pending"
		case core.RequestAccepted:
			status = "accepted"
		case core.RequestDeclined:
			status = "declined"
		}
		out := request{UserID: ap.UserID, Username: names[ap.UserID], Reason: ap.Reason, Status: status,
			ExpiresAt: ap.ExpiredTime}
		if err := a.print(out); err != nil {
			return err
		}
	}
	return nil
}

// group is the JSON form of a group.
type group struct {
	GroupID uint64 `json:"group_id"`
	Name    string `json:"name"`
	OwnerID uint64 `json:"owner_id"`
	Members int    `json:"members"` // the member count
}

func groupJSON(g core.GroupInfo) group {
	return group{GroupID: g.GroupID, Name: g.Name, OwnerID: g.OwnerID, Members: g.Count}
}

// groupResult is the JSON form of one user's outcome of an invitation.
type groupResult struct {
	GroupID uint64 `json:"group_id"`
	UserID  uint64 `json:"user_id"`
	// OK: the user joined, or was sent an invitation to accept when their
	// settings ask for one; otherwise Reason says why not.
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"`
}

func (a *app) groups(ctx context.Context) error {
	var gid uint64
	var uids []uint64
	var err error
	if len(a.o.args) > 0 {
		switch a.o.args[0] {
		case "create":
			uids, err = parseIDs("user id", a.o.args[2:])
		case "invite", "leave":
			if gid, err = parseID("group id", a.o.args[1]); err == nil {
				uids, err = parseIDs("user id", a.o.args[2:])
			}
		}
		if err != nil {
			return err
		}
	}
	c, done, err := a.resumedClient(ctx)
	if err != nil {
		return err
	}
	defer done()
	g := c.Group()
	if len(a.o.args) == 0 {
		ids, err := g.Joined(ctx, true)
		if err != nil {
			return err
		}
		slices.Sort(ids)
		infos, err := g.ListDetail(ctx, ids)
		if err != nil {
			return err
		}
		for _, info := range infos {
			if err := a.print(groupJSON(info)); err != nil {
				return err
			}
		}
		return nil
	}
	switch a.o.args[0] {
	case "create":
		info, err := g.Create(ctx, core.GroupCreate{Name: a.o.args[1], UserList: uids})
		if err != nil {
			return err
		}
		return a.print(groupJSON(info))
	case "invite":
		results, err := g.Invite(ctx, gid, uids, "")
		if err != nil {
			return err
		}
		failed := 0
		for _, r := range results {
			if !r.OK() {
				failed++
			}
			if err := a.print(groupResult{GroupID: gid, UserID: r.UserID, OK: r.OK(), Reason: r.Reason}); err != nil {
				return err
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d users could not be invited (their lines give the reasons)", failed, len(results))
		}
		return nil
	case "leave":
		if err := g.Leave(ctx, gid); err != nil {
			return err
		}
		return a.print(map[string]any{"left": gid})
	}
	return usagef("usage: floo groups %s", commandSpec("groups").args)
}
