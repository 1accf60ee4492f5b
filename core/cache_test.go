package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ids(ms []Message) []uint64 {
	out := make([]uint64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func TestMemoryCacheOrderAndReplace(t *testing.T) {
	c := NewMemoryCache(5, 100)
	for _, id := range []uint64{30, 10, 20, 50, 40} {
		c.Put(1, Message{ID: id, Content: "v1"})
	}
	assert.Equal(t, []uint64{10, 20, 30, 40, 50}, ids(c.List(1)), "sorted by id")
	c.Put(1, Message{ID: 20, Content: "v2"})
	m, ok := c.Get(1, 20)
	require.True(t, ok)
	assert.Equal(t, "v2", m.Content, "same id replaces")
	assert.Equal(t, 5, c.Len())

	c.Put(1, Message{ID: 60})
	assert.Equal(t, []uint64{20, 30, 40, 50, 60}, ids(c.List(1)), "per-conversation cap drops the oldest")
	c.Put(1, Message{ID: 5})
	assert.Equal(t, []uint64{20, 30, 40, 50, 60}, ids(c.List(1)), "an older message than all kept is dropped at once")

	got, ok := c.Update(1, 30, func(m *Message) bool { m.Status = MessageRead; m.ID = 999; return true })
	require.True(t, ok)
	assert.Equal(t, MessageRead, got.Status)
	assert.Equal(t, uint64(30), got.ID, "the key cannot change")
	_, ok = c.Update(1, 31, func(m *Message) bool { return true })
	assert.False(t, ok)
	n := c.UpdateAll(1, func(m *Message) bool { return m.ID > 40 })
	assert.Equal(t, 2, n)

	d, ok := c.Delete(1, 40)
	require.True(t, ok)
	assert.Equal(t, uint64(40), d.ID)
	assert.Equal(t, []uint64{20, 30, 50, 60}, ids(c.List(1)))
	_, ok = c.Delete(1, 40)
	assert.False(t, ok)
	assert.Equal(t, 4, c.Len())

	list := c.List(1)
	list[0].Content = "mutated"
	m, _ = c.Get(1, 20)
	assert.Equal(t, "v2", m.Content, "List returns copies")

	c.DeleteConversation(1)
	assert.Empty(t, c.List(1))
	assert.Zero(t, c.Len())
}

func TestMemoryCacheTotalCap(t *testing.T) {
	c := NewMemoryCache(10, 12)
	for i := uint64(1); i <= 6; i++ {
		c.Put(1, Message{ID: i})
	}
	for i := uint64(1); i <= 6; i++ {
		c.Put(2, Message{ID: i})
	}
	c.Put(3, Message{ID: 1})
	assert.Equal(t, 12, c.Len())
	assert.Equal(t, []uint64{2, 3, 4, 5, 6}, ids(c.List(1)), "the least recently written conversation loses its oldest")
	c.Put(1, Message{ID: 7}) // conversation 1 is now the most recent
	c.Put(3, Message{ID: 2})
	assert.Equal(t, []uint64{3, 4, 5, 6}, ids(c.List(2)))
	assert.Equal(t, 12, c.Len())
	c.Clear()
	assert.Zero(t, c.Len())
	assert.Empty(t, c.List(1))
}
