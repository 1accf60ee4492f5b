package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flooim/floo/server/store"
)

func TestNextMessageID(t *testing.T) {
	assert.Equal(t, int64(1000*1024), store.NextMessageID(1000, 0))
	assert.Equal(t, int64(1000*1024+1), store.NextMessageID(1000, 1000*1024))
	// A millisecond with all 1024 values used borrows from the next one.
	assert.Equal(t, int64(1001*1024), store.NextMessageID(1000, 1000*1024+1023))
	// The clock going back never makes ids go back.
	assert.Equal(t, int64(5000*1024+1), store.NextMessageID(1000, 5000*1024))
	// Far in the future ids still fit a JavaScript number.
	year2200 := int64(7258118400000)
	assert.Less(t, store.NextMessageID(year2200, 0), int64(store.MaxEntityID))
}

func TestConv(t *testing.T) {
	c := store.ChatConv(bob, alice)
	assert.Equal(t, store.Conv{Kind: store.ConvChat, A: alice, B: bob}, c)
	assert.Equal(t, c, store.ChatConv(alice, bob))
	assert.Equal(t, bob, c.Stream(alice))
	assert.Equal(t, alice, c.Stream(bob))
	assert.Equal(t, team, store.GroupConv(team).Stream(alice))
	assert.Equal(t, alice, store.PersonalConv(alice).Stream(alice))
}

const (
	alice = int64(10_000_001)
	bob   = int64(10_000_002)
	team  = int64(10_000_010)
)
