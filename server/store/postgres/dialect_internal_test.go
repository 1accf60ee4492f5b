package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The shared queries are written with SQLite's placeholders; these are the
// forms they use.
func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT 1`:                        `SELECT 1`,
		`a = ? AND b = ?`:                 `a = $1 AND b = $2`,
		`SELECT ?1, ?2 WHERE ?2 > ?10`:    `SELECT $1, $2 WHERE $2 > $10`,
		`IN (?,?,?)`:                      `IN ($1,$2,$3)`,
		`lower(email) = lower(?) LIMIT ?`: `lower(email) = lower($1) LIMIT $2`,
	} {
		assert.Equal(t, want, dialect{}.Rebind(in), in)
	}
}
