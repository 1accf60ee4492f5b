// Package storetest is the conformance suite of store.Store: the behaviour
// every implementation must show, written once against the interface. Each
// implementation's tests call Run with a function that opens a fresh, empty
// store; tests of what only one implementation has (file layout, connection
// settings, migrations of its own old schemas) stay beside it.
package storetest

import (
	"testing"

	"github.com/flooim/floo/server/store"
)

// Opener returns a fresh, fully migrated and empty store for one test and
// arranges for it to be closed when the test ends. Close must be idempotent:
// some tests close the store themselves.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against the stores open returns, one subtest per
// behaviour. Subtests do not run in parallel: a store per test is cheap, and
// a shared machine is not.
func Run(t *testing.T, open Opener) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

var cases = []struct {
	name string
	fn   func(*testing.T, Opener)
}{
	{"ClosedStore", testClosedStore},
	{"EntityIDsShared", testEntityIDsShared},
	{"CreateUserConflicts", testCreateUserConflicts},
	{"ProfileAndLookups", testProfileAndLookups},
	{"SettingsPatch", testSettingsPatch},
	{"UserSettingsByIDs", testUserSettingsByIDs},
	{"DeleteUserFreesNameAndDropsCredentials", testDeleteUserFreesNameAndDropsCredentials},
	{"Tokens", testTokens},
	{"RegisterDevice", testRegisterDevice},
	{"RegisterDeviceConcurrentSameUser", testRegisterDeviceConcurrentSameUser},
	{"RosterFriendshipIsSymmetric", testRosterFriendshipIsSymmetric},
	{"RosterBlockAndAnnotations", testRosterBlockAndAnnotations},
	{"RosterApplications", testRosterApplications},
	{"GroupCreateAndMembers", testGroupCreateAndMembers},
	{"GroupUpdateTransferDestroy", testGroupUpdateTransferDestroy},
	{"GroupBlocksRequestsContent", testGroupBlocksRequestsContent},
	{"AppendAssignsIncreasingIDs", testAppendAssignsIncreasingIDs},
	{"AppendDedup", testAppendDedup},
	{"ConcurrentAppends", testConcurrentAppends},
	{"SyncPageSkipsOwnAndTargeted", testSyncPageSkipsOwnAndTargeted},
	{"Cursors", testCursors},
	{"Unread", testUnread},
	{"ClearConversation", testClearConversation},
	{"History", testHistory},
	{"Effects", testEffects},
	{"GroupAppend", testGroupAppend},
	{"AppendRepeatedDelivery", testAppendRepeatedDelivery},
	{"FileTickets", testFileTickets},
}

// Fixed ids the suite uses where no user or group needs to exist: the store
// does not check that a conversation's parties exist.
const (
	Alice = alice
	Bob   = bob
	Team  = team
)

// NewUser creates a user named name; implementation tests use it to put
// something in a store before reopening it.
func NewUser(t *testing.T, db store.Users, name string) store.User { return newUser(t, db, name) }

// Chat appends a one-to-one message the way the gateway does (see chat).
func Chat(t *testing.T, db store.Messages, now int64, from int64, sn uint32, to int64, body string) store.Item {
	return chat(t, db, now, from, sn, to, body)
}

// IDs returns the ids of items in order.
func IDs(items []store.Item) []int64 { return ids(items) }
