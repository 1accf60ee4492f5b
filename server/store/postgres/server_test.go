package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/internal/xsynctest"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
)

// TestServersShareDatabase runs two reference servers on one PostgreSQL
// database, as two nodes would: an account registered through one logs in
// through the other, a message sent through one is synced through the
// other, a resend of it through the other node is answered with the first
// ack, and everything survives a restart. (These nodes have no bus between
// them, so the recipient pulls; server/bus/integration runs nodes with one.)
func TestServersShareDatabase(t *testing.T) {
	url := pgtest.NewDatabase(t)
	onPG := servertest.WithConfig(func(c *server.Config) { c.Database = url })
	a := servertest.Start(t, onPG)
	b := servertest.Start(t, onPG)

	alice := a.NewUser(t, "alice")
	td := b.Login(t, "alice", alice.Password, "")
	assert.Equal(t, alice.ID, td.UserID)
	bob := b.NewUser(t, "bob")
	assert.Greater(t, bob.ID, alice.ID, "ids come from the database, not a node")

	onA := xsynctest.Dial(t, a.URL)
	snA := onA.Login(t, alice.Token, alice.ID, 0, "alice-phone")
	bobOnB := xsynctest.Dial(t, b.URL)
	bobOnB.Login(t, bob.Token, bob.ID, 0, "bob-phone")
	bobOnB.SyncAll(bob.ID) // drain the device notices

	m := xsynctest.Text(bob.ID, "across nodes")
	ack := onA.SendOK(m)
	assert.Equal(t, []uint64{ack.ServerMid}, xsynctest.IDs(bobOnB.SyncAll(alice.ID)))

	// The same installation on the other node keeps its SN, and a resend
	// of the same client_mid is deduplicated by the store.
	onA.Close()
	onB := xsynctest.Dial(t, b.URL)
	require.Equal(t, snA, onB.Login(t, alice.Token, alice.ID, 0, "alice-phone"))
	resend := xsynctest.Text(bob.ID, "across nodes")
	resend.Id = m.Id
	again := onB.SendOK(resend)
	assert.Equal(t, ack.ServerMid, again.ServerMid)

	a.Restart(t)
	assert.Equal(t, bob.ID, a.Login(t, "bob", bob.Password, "").UserID)
}
