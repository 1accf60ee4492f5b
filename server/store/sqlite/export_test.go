package sqlite

import "database/sql"

// Pools exposes the writer and reader pools to tests.
func (db *DB) Pools() (w, r *sql.DB) { return db.w, db.r }
