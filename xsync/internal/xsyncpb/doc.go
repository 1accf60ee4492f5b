// Package xsyncpb holds the protoc-gen-go reference code for xsync.proto. It
// exists only so that package crosscheck can compare the hand-written codec in
// package xsync with the reference implementation of the protobuf wire format.
//
// The generated file (xsync.pb.go) is not committed: scripts/protoc-gen.sh
// writes it with a pinned protoc-gen-go and prepends a crosscheck build
// constraint. Without that tag this package is empty, so nothing in the SDK can
// use it by accident, and the protobuf runtime never reaches a normal build or
// the wasm binary.
package xsyncpb
