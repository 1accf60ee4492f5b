package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSearchMessages: the message part of makeSearch finds text messages
// of the conversation list, ASCII letters folded, in list order, and
// nothing for a blank keyword; other message types and friends' names are
// not searched.
func TestSearchMessages(t *testing.T) {
	c, _, _ := newMgrClient(t)
	mgrPrefetch(t, c, []uint64{3}, `[{"user_id":3,"username":"bob"}]`, nil, `[]`)
	c.cache.Put(3, Message{ID: 1, From: 3, To: 100, Type: TypeText, Content: "see you BOB"})
	c.cache.Put(3, Message{ID: 2, From: 3, To: 100, Type: TypeImage, Content: "bob.png"})
	c.cache.Put(3, Message{ID: 4, From: 3, To: 100, Content: "Ébob"})
	c.cache.Put(13, Message{ID: 3, From: 3, To: 13, Type: TypeText, Content: "bob said", ToType: ToGroup})
	c.cache.Put(14, Message{ID: 5, From: 3, To: 14, Type: TypeText, Content: "bob, not listed", ToType: ToGroup})
	c.convs.touch(3, ToRoster, nil)
	c.convs.touch(13, ToGroup, nil)

	hits := c.SearchMessages("  bOb ")
	assert.ElementsMatch(t, []MessageHit{
		{ConversationID: 3, Content: "see you BOB"},
		{ConversationID: 3, Content: "Ébob"},
		{ConversationID: 13, Group: true, Content: "bob said"},
	}, hits)
	assert.Empty(t, c.SearchMessages(" \t"))
	assert.Empty(t, c.SearchMessages("zed"))
	assert.Len(t, c.SearchMessages("éBOB"), 0, "non-ASCII letters are compared exactly")
	assert.Len(t, c.SearchMessages("Ébob"), 1)
}

func TestContainsFoldASCII(t *testing.T) {
	assert.True(t, containsFoldASCII("Hello World", "o w"))
	assert.True(t, containsFoldASCII("abc", ""))
	assert.False(t, containsFoldASCII("ab", "abc"))
	assert.False(t, containsFoldASCII("a[c", "a{c"), "only letters fold")
}
