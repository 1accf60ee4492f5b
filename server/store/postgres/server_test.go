package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flooim/floo/server"
	"github.com/flooim/floo/server/servertest"
	"github.com/flooim/floo/server/store/postgres/pgtest"
)

// TestServersShareDatabase runs two reference servers on one PostgreSQL
// database, as two nodes would: an account registered through one logs in
// through the other, and both survive a restart. The uploaded-file folders
// stay apart (each DataDir is its own).
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

	a.Restart(t)
	assert.Equal(t, bob.ID, a.Login(t, "bob", bob.Password, "").UserID)
}
