// Package sqlitetest opens throw-away SQLite stores for tests.
package sqlitetest
