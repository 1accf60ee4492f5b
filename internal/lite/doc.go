// Package lite is the part of the standard time and context packages that
// the client engine uses, kept out of the js/wasm build.
//
// On native builds every name here is an alias of the standard library
// (lite.Duration is time.Duration, lite.Context is context.Context), so
// native programs see the types they expect and pay nothing.
//
// On js/wasm the names have small implementations of their own: importing
// package time at all links its zone and formatting code, internal/godebug,
// internal/bisect and the runtime metrics table (about 38 KB brotli in the
// shipped module), and any context.Context implementation held in an
// interface keeps time.Time's String method and with it time formatting
// (about 29 KB more). There, Duration is its own int64 type with the same
// units, Time counts nanoseconds since the Unix epoch on the host's
// monotonic clock (performance.now, like Go's runtime), timers are the
// host's setTimeout, and Context is the two methods the engine calls (Done
// and Err), which every context.Context also satisfies.
//
// Code that uses lite must stay within what both forms offer: the
// methods declared here, no Deadline or Value on a Context, no
// Duration.String.
package lite
