package core

import (
	"sync"

	"github.com/flooim/floo/core/jsonv"
	"github.com/flooim/floo/internal/lite"
)

// prefetchCache keeps the REST data fetched before connecting (PROTOCOL.md
// §4.5) as raw JSON values, for the roster and group managers built on top
// of the engine. It has its own mutex; no other lock is taken while it is
// held.
type prefetchCache struct {
	mu        sync.Mutex
	rosterIDs []uint64    // guarded by mu; GET /roster/list
	rosters   jsonv.Value // guarded by mu; POST /roster/list: [RosterItem]
	groupIDs  []uint64    // guarded by mu; GET /group/user_joined
	groups    jsonv.Value // guarded by mu; POST /group/info/batch: [GroupBrief]
	appConfig jsonv.Value // guarded by mu; GET /app/config
}

func (p *prefetchCache) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rosterIDs, p.groupIDs = nil, nil
	p.rosters, p.groups = jsonv.Value{}, jsonv.Value{}
}

// Prefetched is a snapshot of the data fetched at login.
type Prefetched struct {
	RosterIDs []uint64    // friend uids
	Rosters   jsonv.Value // [RosterItem] of the friends and the user
	GroupIDs  []uint64    // joined gids
	Groups    jsonv.Value // [GroupBrief] of the joined groups
	AppConfig jsonv.Value // GET /app/config data
}

// Prefetched returns the roster and group data fetched at login (kept for
// the managers). Values are immutable and may be shared.
func (c *Client) Prefetched() Prefetched {
	p := &c.pre
	p.mu.Lock()
	defer p.mu.Unlock()
	return Prefetched{
		RosterIDs: append([]uint64(nil), p.rosterIDs...),
		Rosters:   p.rosters,
		GroupIDs:  append([]uint64(nil), p.groupIDs...),
		Groups:    p.groups,
		AppConfig: p.appConfig,
	}
}

// idList reads a REST list of ids: numbers, numeric strings, or objects with
// a user_id/group_id field (the official clients accept those too).
func idList(v jsonv.Value, field string) []uint64 {
	var out []uint64
	for _, e := range v.Elements() {
		if e.Kind() == jsonv.KindObject {
			e = e.Get(field)
		}
		if id, ok := e.AsUint64(); ok && id != 0 {
			out = append(out, id)
		}
	}
	return out
}

func idArray(key string, ids []uint64) []byte {
	var w jsonv.Writer
	w.BeginObject()
	w.Key(key)
	w.BeginArray()
	for _, id := range ids {
		w.Uint(id)
	}
	w.EndArray()
	w.EndObject()
	return w.Bytes()
}

// prefetch fetches the friend and joined-group lists in parallel, then the
// friend profiles (friends plus the user) and group details (PROTOCOL.md
// §4.5). It returns the joined gids, which the engine needs to tell group
// operations from one-to-one ones. An error is returned when one of the two
// lists failed; the details are best effort.
func (c *Client) prefetch(ctx lite.Context, self uint64, token string) ([]uint64, error) {
	call := func(req RESTRequest) (jsonv.Value, error) { return c.rest.callToken(ctx, req, false, token) }
	var wg sync.WaitGroup
	var rosterV, groupV, configV jsonv.Value
	var rosterErr, groupErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		rosterV, rosterErr = call(RESTRequest{Method: "GET", Path: "/roster/list"})
	}()
	go func() {
		defer wg.Done()
		groupV, groupErr = call(RESTRequest{Method: "GET", Path: "/group/user_joined"})
	}()
	go func() {
		defer wg.Done()
		// App config (PROTOCOL.md §4.3): opaque, login does not depend on it.
		v, err := call(RESTRequest{Method: "GET", Path: "/app/config", Query: [][2]string{{"platform", "6"}}})
		if err == nil {
			configV = v
		}
	}()
	wg.Wait()
	if configV.Exists() {
		c.pre.mu.Lock()
		c.pre.appConfig = configV
		c.pre.mu.Unlock()
	}
	if rosterErr != nil {
		return nil, rosterErr
	}
	if groupErr != nil {
		return nil, groupErr
	}
	rosterIDs := idList(rosterV, "user_id")
	groupIDs := idList(groupV, "group_id")

	var rosters, groups jsonv.Value
	wg.Add(2)
	go func() {
		defer wg.Done()
		ids := append(append([]uint64(nil), rosterIDs...), self)
		v, err := call(RESTRequest{Method: "POST", Path: "/roster/list", Body: idArray("list", ids)})
		if err == nil {
			rosters = v
		} else {
			c.log.warn("prefetch: roster details: " + err.Error())
		}
	}()
	go func() {
		defer wg.Done()
		if len(groupIDs) == 0 {
			groups = jsonv.Array()
			return
		}
		v, err := call(RESTRequest{Method: "POST", Path: "/group/info/batch", Body: idArray("group_list", groupIDs)})
		if err == nil {
			groups = v
		} else {
			c.log.warn("prefetch: group details: " + err.Error())
		}
	}()
	wg.Wait()

	c.pre.mu.Lock()
	c.pre.rosterIDs, c.pre.groupIDs = rosterIDs, groupIDs
	c.pre.rosters, c.pre.groups = rosters, groups
	c.pre.mu.Unlock()
	return groupIDs, nil
}
