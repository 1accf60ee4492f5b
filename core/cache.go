package core

import (
	"sort"
	"sync"
)

// MessageCache stores the recent messages of each conversation, ordered by
// id, for the synchronous reads of the facade (getRosterMessageByRid,
// getMessageStatus...) and for applying operations to their targets.
// Conversations are keyed by peer uid or gid, which never collide
// (PROTOCOL.md §17).
//
// Implementations must be safe for concurrent use: the engine writes from
// its own goroutine while the application reads from others. Messages are
// values, so callers never share memory with the cache.
type MessageCache interface {
	// Put stores m in conversation conv, replacing a message with the same
	// id, and keeps the conversation sorted by id.
	Put(conv uint64, m Message)
	// Get returns the message id of conversation conv.
	Get(conv, id uint64) (Message, bool)
	// Update calls fn with a copy of the stored message; when fn returns
	// true the copy replaces it. It returns the resulting message and
	// whether the message exists.
	Update(conv, id uint64, fn func(*Message) bool) (Message, bool)
	// UpdateAll calls fn for every message of conv, as Update does, and
	// returns how many were changed.
	UpdateAll(conv uint64, fn func(*Message) bool) int
	// Delete removes and returns the message id of conversation conv.
	Delete(conv, id uint64) (Message, bool)
	// List returns the messages of conv, oldest first.
	List(conv uint64) []Message
	// DeleteConversation removes every message of conv.
	DeleteConversation(conv uint64)
	// Clear removes everything (logout).
	Clear()
}

// MemoryCache is the default MessageCache: bounded per conversation and in
// total, in memory. When a conversation exceeds its cap its oldest messages
// are dropped; when the total is exceeded, the oldest message of the least
// recently written conversation goes first.
type MemoryCache struct {
	perConv, total int

	mu    sync.Mutex
	convs map[uint64]*cachedConv // guarded by mu
	count int                    // guarded by mu; messages over all conversations
	tick  uint64                 // guarded by mu; write counter for recency
}

type cachedConv struct {
	msgs    []Message // sorted by ID
	touched uint64
}

// NewMemoryCache returns a MemoryCache keeping at most perConv messages per
// conversation and total messages overall (values <= 0 mean the defaults,
// 100 and 20000).
func NewMemoryCache(perConv, total int) *MemoryCache {
	if perConv <= 0 {
		perConv = DefaultMessageCacheSize
	}
	if total <= 0 {
		total = DefaultMessageCacheTotal
	}
	if total < perConv {
		total = perConv
	}
	return &MemoryCache{perConv: perConv, total: total, convs: make(map[uint64]*cachedConv)}
}

func (c *cachedConv) find(id uint64) (int, bool) {
	i := sort.Search(len(c.msgs), func(i int) bool { return c.msgs[i].ID >= id })
	return i, i < len(c.msgs) && c.msgs[i].ID == id
}

// Put implements MessageCache.
func (c *MemoryCache) Put(conv uint64, m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		cc = &cachedConv{}
		c.convs[conv] = cc
	}
	c.tick++
	cc.touched = c.tick
	i, found := cc.find(m.ID)
	if found {
		cc.msgs[i] = m
		return
	}
	if i == len(cc.msgs) {
		cc.msgs = append(cc.msgs, m)
	} else {
		cc.msgs = append(cc.msgs, Message{})
		copy(cc.msgs[i+1:], cc.msgs[i:])
		cc.msgs[i] = m
	}
	c.count++
	if len(cc.msgs) > c.perConv {
		n := len(cc.msgs) - c.perConv
		clear(cc.msgs[:n])
		cc.msgs = cc.msgs[n:]
		c.count -= n
	}
	for c.count > c.total {
		c.evictOne()
	}
}

// evictOne drops the oldest message of the least recently written
// conversation. Linear in the number of conversations, which is fine for an
// operation that happens at most once per Put.
func (c *MemoryCache) evictOne() {
	var victim uint64
	var vc *cachedConv
	for k, cc := range c.convs {
		if vc == nil || cc.touched < vc.touched {
			victim, vc = k, cc
		}
	}
	if vc == nil {
		c.count = 0
		return
	}
	vc.msgs[0] = Message{}
	vc.msgs = vc.msgs[1:]
	c.count--
	if len(vc.msgs) == 0 {
		delete(c.convs, victim)
	}
}

// Get implements MessageCache.
func (c *MemoryCache) Get(conv, id uint64) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		return Message{}, false
	}
	if i, ok := cc.find(id); ok {
		return cc.msgs[i], true
	}
	return Message{}, false
}

// Update implements MessageCache.
func (c *MemoryCache) Update(conv, id uint64, fn func(*Message) bool) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		return Message{}, false
	}
	i, ok := cc.find(id)
	if !ok {
		return Message{}, false
	}
	m := cc.msgs[i]
	if fn(&m) {
		m.ID = id // the key cannot change
		cc.msgs[i] = m
	}
	return m, true
}

// UpdateAll implements MessageCache.
func (c *MemoryCache) UpdateAll(conv uint64, fn func(*Message) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		return 0
	}
	n := 0
	for i := range cc.msgs {
		m := cc.msgs[i]
		if fn(&m) {
			m.ID = cc.msgs[i].ID
			cc.msgs[i] = m
			n++
		}
	}
	return n
}

// Delete implements MessageCache.
func (c *MemoryCache) Delete(conv, id uint64) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		return Message{}, false
	}
	i, ok := cc.find(id)
	if !ok {
		return Message{}, false
	}
	m := cc.msgs[i]
	copy(cc.msgs[i:], cc.msgs[i+1:])
	cc.msgs[len(cc.msgs)-1] = Message{}
	cc.msgs = cc.msgs[:len(cc.msgs)-1]
	c.count--
	if len(cc.msgs) == 0 {
		delete(c.convs, conv)
	}
	return m, true
}

// List implements MessageCache.
func (c *MemoryCache) List(conv uint64) []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	cc := c.convs[conv]
	if cc == nil {
		return nil
	}
	out := make([]Message, len(cc.msgs))
	copy(out, cc.msgs)
	return out
}

// DeleteConversation implements MessageCache.
func (c *MemoryCache) DeleteConversation(conv uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cc := c.convs[conv]; cc != nil {
		c.count -= len(cc.msgs)
		delete(c.convs, conv)
	}
}

// Clear implements MessageCache.
func (c *MemoryCache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.convs = make(map[uint64]*cachedConv)
	c.count = 0
}

// Len returns the number of cached messages over all conversations.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}
