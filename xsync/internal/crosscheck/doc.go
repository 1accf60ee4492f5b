// Package crosscheck is test-only: it checks the hand-written XSYNC codec in
// package xsync against code that protoc-gen-go generates from the same schema
// (package xsyncpb): randomized messages in both directions (values, then the
// exact bytes), proto2-style input that writes zero values explicitly, unknown
// fields of every wire type at every level, concatenated encodings (merge),
// truncated encodings and corrupted ones.
//
// The generated code is not committed, so the comparison tests carry the
// crosscheck build tag and plain `go test ./...` skips them. Run them with
//
//	scripts/test-crosscheck.sh
//
// which regenerates xsync/internal/xsyncpb and then runs
// `go test -tags crosscheck ./xsync/internal/crosscheck/`. The random streams
// are reproducible: every run logs its seed, and
//
//	scripts/test-crosscheck.sh -args -crosscheck.seed=N -crosscheck.n=M
//
// replays seed N with M messages per type. Untagged tests here check that
// xsync/xsync.proto is a byte-identical copy of the shared spec and that the
// generated package is imported only by crosscheck-tagged test files.
package crosscheck
