// Package xsynctest is a small XSYNC client for the reference server's
// tests: it dials the gateway over a real WebSocket, logs in, sends and
// pulls, and lets a test wait for any frame the server sends. It speaks
// raw mode only (PROTOCOL.md §3.1).
//
// A Client is used by one test goroutine; a background goroutine only reads
// frames into a queue. Methods fail the test on protocol or transport
// errors, so tests read as a sequence of steps; methods named Try… or
// returning an error leave the judgement to the test.
package xsynctest
